"""Synthetic post-operative history for a demo patient whose episode is at 'consented':
the operation (under the recorded consent, dividing the nerves it planned), a physiotherapy
programme with sessions, and the reviews that are due."""

import datetime
import random

from collis.core.audit import Actor
from collis.domain.pathway import State
from collis.outcomes import presenters, selectors, services
from collis.outcomes.models import Operation
from collis.outcomes.schedules import review_schedule
from collis.sites.models import Site


def demo_history(patient, rng: random.Random, today: datetime.date, author) -> None:
    """Does nothing unless the patient has a consented episode, its consent recorded, and no
    operation yet."""
    if Operation.objects.filter(patient=patient).exists():
        return
    episode = patient.episodes.filter(state=State.CONSENTED).order_by("id").first()
    consent = services.consent_for_operation(episode) if episode else None
    if consent is None:
        return
    actor = Actor.command_line(author)
    operated_on = min(max(today - datetime.timedelta(days=rng.randint(200, 500)),
                          services.consent_signed_on(consent)), today)
    side = rng.choice(["left", "right"])
    other = "right" if side == "left" else "left"
    planned = [services.Division(row["muscle"], row["side"], row["nerve"])
               for row in presenters.plan_initial(consent.planned_denervation)]
    divisions = planned or [services.Division("sternocleidomastoid", side),
                            services.Division("splenius_capitis", other)]
    services.operation_create(episode=episode, actor=actor, details=services.OperationDetails(
        operated_on=operated_on, site=episode.listing_site or Site.objects.order_by("code")
        .first(), surgeon=episode.surgeon or author, anaesthetic="general",
        anaesthetist="Dr Demo", divisions=divisions,
        outside_plan_reason="" if planned else "No plan was recorded with the consent (demo)"))
    programme = services.physio_programme_start(
        episode=episode, starts_on=operated_on + datetime.timedelta(days=7), session_count=6,
        interval_days=7, actor=actor)
    for session in programme.sessions.filter(scheduled_on__lte=today):
        attended = rng.random() < 0.85
        services.physio_session_record(
            session=session, attendance="attended" if attended else "did_not_attend",
            held_on=session.scheduled_on if attended else None, actor=actor)
    schedule = selectors.schedule_policy(services.operation_current(episode)).policy
    for point in review_schedule(operated_on=operated_on, today=today, policy=schedule):
        if point.due_on > today:
            break
        services.follow_up_review_create(
            episode=episode, actor=actor, details=services.ReviewDetails(
            months_after=point.months_after, reviewed_on=point.due_on,
            twstrs_severity=rng.randint(6, 14), twstrs_disability=rng.randint(3, 10),
            twstrs_pain=float(rng.randint(2, 8))))
