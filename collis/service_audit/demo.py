"""A synthetic operated cohort for the service audit in `make run`: about forty demo
patients operated on by two demo surgeons at two sites over three years, with the risks
disclosed at counselling, baseline and follow-up TWSTRS and Tsui, complications and further
surgery. Swallowing difficulty comes out above the 25% the consent form quotes [28], so the
clinical lead sees a flag.

The counselling, its disclosures and the consent are written as rows dated in the past, as
the tests' factories do: the consent app's services record them as of now (the cooling-off
period runs from the day counselling is recorded), so they cannot make a consent of two
years ago. Everything from the operation on goes through the outcomes app's services."""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from collis.assessments import services as assessment_services
from collis.consent.models import Consent, CounsellingSession, RiskDisclosure
from collis.core.audit import Actor
from collis.core.models import AccountType
from collis.core.roles import Role
from collis.domain.pathway import State
from collis.domain.risks import Intervention, risks_for
from collis.mdt.models import Decision, MdtDecision
from collis.outcomes import services
from collis.outcomes.schedules import add_months
from collis.sites.models import Site
from collis.surgery.models import Episode, EpisodeStatus

COHORT = 40
# Synthetic chance of each complication after SD in the demo: made up, not clinical figures.
DEMO_COMPLICATION_CHANCE = {
    "SD_OCCIPITAL_NUMBNESS": 0.9, "SD_DYSAESTHESIA": 0.2, "SD_SWALLOWING_DIFFICULTY": 0.4,
    "SD_HAEMATOMA": 0.03, "SD_INFECTION": 0.05, "SD_TRAPEZIUS_WEAKNESS": 0.05,
    "SD_NECK_TIGHTNESS_SWELLING": 0.1,
}
PLAN = ({"muscle": "sternocleidomastoid", "side": "left",
         "target": "spinal accessory nerve branches"},
        {"muscle": "splenius_capitis", "side": "right", "target": "posterior ramus C2"})
SECOND_SURGEON = ("neurosurgeon2", "Rui", "Demo-Surgeon-Two")


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _second_surgeon(first):
    """A second demo neurosurgeon, so that the audit has two surgeons to compare."""
    from collis.demo_data import DEMO_PASSWORD

    User = get_user_model()
    username, given, family = SECOND_SURGEON
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, first_name=given, last_name=family,
                    role=Role.NEUROSURGEON, account_type=AccountType.STAFF,
                    email=f"{username}@example.com", organisation_id=first.organisation_id)
        user.set_password(DEMO_PASSWORD)
        user.full_clean()
        user.save()
    return user


def _consented_episode(patient, surgeon, rng, operated_on, catalogue) -> Episode:
    """An episode at 'consented' with its counselling (every SD risk disclosed, frozen as
    the catalogue gives it) and consent, dated before the operation."""
    received = operated_on - datetime.timedelta(days=rng.randint(90, 260))
    counselled = operated_on - datetime.timedelta(days=rng.randint(40, 70))
    received = min(received, counselled - datetime.timedelta(days=30))
    signed = counselled + datetime.timedelta(days=rng.randint(15, 25))
    episode = Episode.objects.create(
        patient=patient, state=State.CONSENTED, opened_by=surgeon, opened_at=_noon(received),
        referrer_name="Dr Ari Demo-Referrer", referrer_gmc_number="1234567",
        referrer_organisation="Example Movement Disorders Clinic (demo)",
        referral_reason="Cervical dystonia; botulinum toxin is failing (demo).",
        referral_received_on=received, surgeon=surgeon, listing_site=patient.home_site)
    decided = received + datetime.timedelta(days=rng.randint(21, 50))
    MdtDecision.objects.create(
        patient=patient, episode=episode, decision=Decision.SD,
        discussion="Discussed at the MDT (demo).", created_by=surgeon,
        created_at=_noon(min(decided, counselled - datetime.timedelta(days=1))))
    EpisodeStatus.objects.create(episode=episode, state=State.CONSENTED, by=surgeon,
                                 at=_noon(signed), reason="Demo: consented")
    session = CounsellingSession.objects.create(
        episode=episode, patient=patient, held_on=counselled,
        decision_aid_version="collis-decision-aid/1",
        decision_aid_produced_on=datetime.date(2023, 11, 1), risk_catalogue_digest="0" * 64,
        created_by=surgeon, created_at=_noon(counselled))
    RiskDisclosure.objects.bulk_create([
        RiskDisclosure(session=session, position=i, risk_code=r.code,
                       intervention=r.intervention.value, name=r.name,
                       patient_description=r.patient_description,
                       figures=[f.as_dict() for f in r.figures],
                       frequency_note=r.frequency_note, sources=list(r.sources),
                       acknowledged=True)
        for i, r in enumerate(catalogue)])
    Consent.objects.create(
        episode=episode, patient=patient, counselling=session,
        procedure="Selective peripheral denervation for cervical dystonia",
        planned_denervation=list(PLAN), plan_source="MDT decision (demo)",
        signature_method="paper", patient_signed_on=signed, surgeon=surgeon,
        surgeon_signed_on=signed, cooling_off_days=14, created_by=surgeon,
        created_at=_noon(signed))
    return episode


def demo_audit_cohort_load(patients, today: datetime.date | None = None) -> int:
    """Operate on each patient without an episode (up to COHORT of them); returns how many.
    Deterministic for the same patients."""
    User = get_user_model()
    first = User.objects.filter(username="neurosurgeon").first()
    physio = User.objects.filter(username="physio").first()
    if first is None or physio is None:
        return 0
    surgeons = [first, _second_surgeon(first)]
    today = today or timezone.localdate()
    catalogue = risks_for(Intervention.SELECTIVE_DENERVATION)
    sites = list(Site.objects.filter(organisation_id=first.organisation_id).order_by("code"))
    made = 0
    for patient in patients:
        if made >= COHORT:
            break
        if patient.organisation_id != first.organisation_id or patient.episodes.exists():
            continue
        rng = random.Random(f"{patient.nhs_number}-audit")
        surgeon = surgeons[made % 2]
        operated_on = today - datetime.timedelta(days=rng.randint(120, 1000))
        episode = _consented_episode(patient, surgeon, rng, operated_on, catalogue)
        actor = Actor.command_line(surgeon)
        site = sites[made % 2] if len(sites) > 1 else patient.home_site
        severity, disability, pain = rng.randint(17, 26), rng.randint(10, 20), rng.randint(6, 14)
        tsui = rng.randint(8, 13)
        before = operated_on - datetime.timedelta(days=rng.randint(7, 30))
        assessment_services.twstrs_create_from_subscores(
            patient=patient, assessed_on=before, severity=severity, disability=disability,
            pain=float(pain), notes="Before selective denervation (demo)", actor=actor)
        assessment_services.tsui_create(patient=patient, assessed_on=before, items={},
                                        total=float(tsui), notes="Before SD (demo)",
                                        actor=actor)
        services.operation_create(episode=episode, actor=actor, details=services.OperationDetails(
            operated_on=operated_on, site=site, surgeon=surgeon, anaesthetic="general",
            anaesthetist="Dr Demo", divisions=[
                services.Division("sternocleidomastoid", "left"),
                services.Division("splenius_capitis", "right", "posterior ramus C2")]))
        services.physio_programme_start(
            episode=episode, starts_on=operated_on + datetime.timedelta(days=7),
            session_count=6, interval_days=7, actor=Actor.command_line(physio))
        benefit = rng.uniform(-0.05, 0.6)  # the share of the score this patient loses
        for months in (3, 6, 12, 24):
            due = add_months(operated_on, months)
            if due >= today:
                break
            fade = 1 + 0.05 * (months // 12)
            services.follow_up_review_create(episode=episode, actor=actor,
                                             details=services.ReviewDetails(
                months_after=months, reviewed_on=due,
                twstrs_severity=max(0, round(severity * (1 - benefit) * fade)),
                twstrs_disability=max(0, round(disability * (1 - benefit) * fade)),
                twstrs_pain=float(max(0, round(pain * (1 - benefit) * fade))),
                tsui_total=float(max(0, round(tsui * (1 - benefit * 1.1) * fade)))))
        for code, chance in DEMO_COMPLICATION_CHANCE.items():
            if rng.random() < chance:
                onset = operated_on + datetime.timedelta(days=rng.randint(1, 20))
                services.complication_create(
                    episode=episode, risk_code=code, onset_on=min(onset, today), severity=
                    rng.choice(["mild", "moderate"]), status="ongoing", actor=actor)
        draw = rng.random()
        if draw < 0.15:
            kind = "reoperation" if draw < 0.1 else "conversion_to_dbs"
            performed = operated_on + datetime.timedelta(days=rng.randint(150, 700))
            if performed < today:
                services.further_surgery_create(
                    episode=episode, kind=kind, performed_on=performed,
                    reason="Recurrent pulling from muscles not denervated (demo)", actor=actor)
        made += 1
    return made
