"""An operated cohort for the service audit's tests: episodes counselled (with the risks
disclosed as the catalogue gives them), consented and operated through the outcomes app's
factories and services, with complications, reviews and further surgery as asked."""

from __future__ import annotations

import datetime

from collis.assessments import services as assessment_services
from collis.consent.models import RiskDisclosure
from collis.core.audit import Actor
from collis.domain.risks import Intervention, risks_for
from collis.outcomes import services
from collis.outcomes.schedules import add_months
from collis.outcomes.tests.factories import make_episode, operate, start_physio
from collis.patients.tests.factories import PatientFactory

# Early enough that the 12-month review is in the past.
OPERATED_ON = datetime.date(2025, 9, 1)
SD_CODES = tuple(r.code for r in risks_for(Intervention.SELECTIVE_DENERVATION))


def disclose(episode, codes=SD_CODES) -> None:
    """The risks disclosed at the episode's counselling, frozen as the catalogue gives them."""
    session = episode.counselling_sessions.order_by("id").first()
    catalogue = {r.code: r for r in risks_for(Intervention.SELECTIVE_DENERVATION)}
    RiskDisclosure.objects.bulk_create([
        RiskDisclosure(session=session, position=i, risk_code=code,
                       intervention=catalogue[code].intervention.value,
                       name=catalogue[code].name,
                       patient_description=catalogue[code].patient_description,
                       figures=[f.as_dict() for f in catalogue[code].figures],
                       sources=list(catalogue[code].sources), acknowledged=True)
        for i, code in enumerate(codes)])


def operated(surgeon, *, complications=(), disclosed=SD_CODES, operated_on=OPERATED_ON,
             home_site=None, baseline=None, reviews=(), further=None):
    """One operated patient of `surgeon`: disclosed risks, complications (risk codes) with
    onset a week after, a baseline TWSTRS (severity, disability, pain) a week before, reviews
    ((months, severity, disability, pain, tsui)...), and further surgery ((kind, days after))."""
    extra = {"home_site": home_site} if home_site else {}
    patient = PatientFactory(**extra)
    episode = make_episode(patient, user=surgeon,
                           consented_on=operated_on - datetime.timedelta(days=30))
    disclose(episode, disclosed)
    operation = operate(episode, surgeon=surgeon, operated_on=operated_on)
    actor = Actor.command_line(surgeon)
    if baseline is not None:
        severity, disability, pain = baseline[:3]
        assessment_services.twstrs_create_from_subscores(
            patient=patient, assessed_on=operated_on - datetime.timedelta(days=7),
            severity=severity, disability=disability, pain=pain, actor=actor)
        if len(baseline) > 3:
            assessment_services.tsui_create(
                patient=patient, assessed_on=operated_on - datetime.timedelta(days=7),
                items={}, total=baseline[3], actor=actor)
    for code in complications:
        services.complication_create(
            episode=episode, risk_code=code, onset_on=operated_on + datetime.timedelta(days=7),
            severity="mild", status="ongoing", actor=actor)
    if reviews:
        start_physio(episode, starts_on=operated_on + datetime.timedelta(days=7))
    for months, severity, disability, pain, *tsui in reviews:
        services.follow_up_review_create(episode=episode, actor=actor,
                                         details=services.ReviewDetails(
            months_after=months, reviewed_on=add_months(operated_on, months),
            twstrs_severity=severity, twstrs_disability=disability, twstrs_pain=pain,
            tsui_total=tsui[0] if tsui else None))
    if further is not None:
        kind, days = further
        services.further_surgery_create(
            episode=episode, kind=kind, performed_on=operated_on + datetime.timedelta(days=days),
            reason="Recurrent pulling (test)", actor=actor)
    return operation
