"""Writes of counselling and consent. Each asks the pathway table (collis.domain.pathway)
whether the actor may do it now, is atomic, validated with full_clean, audited, and moves
the episode along the pathway through surgery.services.episode_transition.

Chronology is checked here, for pages and any other caller alike (collis.core.chronology):
no date in the future or before the patient's birth, counselling not before the referral
was received, and consent not before the cooling-off period has run from the counselling
as it was *recorded*: from the later of the day it was held and the day it was entered, so
that a counselling date typed in the past cannot shorten the period. A counselling session
is corrected by recording it again (`amends`): the new version re-records its disclosures,
and a consent already taken stays bound to the session, and the disclosures, it rested on.

The cooling-off period is local policy (collis.policy): a session keeps the policy version in
force when it was recorded, and its consent keeps that version's period, whatever the
policy says later."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from collis.consent.models import Consent, CounsellingSession, RiskDisclosure, SignatureMethod
from collis.consent.presenters import (
    AID_KINDS,
    VALUES_QUESTIONS,
    aid_versions,
    catalogue_digest,
    disclosure_snapshot,
)
from collis.consent.selectors import counselling_latest
from collis.core.audit import Actor, audit_record
from collis.core.chronology import clinical_date_check, not_before_check
from collis.core.corrections import (
    correction_check,
    record_mark_entered_in_error,
    record_supersede,
)
from collis.core.models import AuditAction
from collis.core.presenters import date_long
from collis.domain.pathway import (
    ACTIVITY_BY_TASK,
    Event,
    MoveRefused,
    Task,
    check_may,
    first_move,
)
from collis.domain.risks import Intervention, risk, risks_for
from collis.policy.selectors import PolicyInForce, policy_in_force, policy_used
from collis.surgery.models import Episode
from collis.surgery.services import episode_transition

SD_PROCEDURE = "Selective peripheral denervation for cervical dystonia"


class ConsentRefused(ValueError):
    """Consent cannot be recorded yet; the message says why and what to do."""


def _role(actor: Actor) -> str:
    return getattr(actor.user, "role", "")


def _state_now(episode: Episode) -> str:
    """The episode's state, its row locked until the write commits: a move someone makes
    meanwhile is seen, not overtaken."""
    return Episode.objects.select_for_update().values_list("state", flat=True).get(
        pk=episode.pk)


def recorded_on(session: CounsellingSession) -> datetime.date:
    """The day the counselling session (this version of it) was entered in Collis."""
    return timezone.localtime(session.created_at).date()


def session_policy(session: CounsellingSession) -> PolicyInForce:
    """The local policy the session was recorded under (for a session recorded before
    policy versions, the version in force on the day it was recorded). Kept on the session
    object, so that a page asking several times reads it once."""
    cached = getattr(session, "_policy_used", None)
    if cached is None or cached.version.pk != session.policy_version_id:
        cached = policy_used(session.policy_version_id, on=recorded_on(session))
        session._policy_used = cached
    return cached


def cooling_off_days(session: CounsellingSession | None = None) -> int:
    """The cooling-off period between counselling and signing consent (local policy): the
    one in force when `session` was recorded, or, with no session, the one in force today."""
    used = session_policy(session) if session is not None else policy_in_force()
    return used.policy.consent_cooling_off_days


def cooling_off_starts(session: CounsellingSession) -> datetime.date:
    """The cooling-off period runs from the later of the day the counselling was held and
    the day it was recorded: a date typed in the past cannot shorten it."""
    return max(session.held_on, recorded_on(session))


def first_signing_date(session: CounsellingSession) -> datetime.date:
    return cooling_off_starts(session) + datetime.timedelta(days=cooling_off_days(session))


def _correction_allowed(actor: Actor, task: Task, what: str) -> None:
    """The roles the pathway table names for the work may correct it, whatever the
    episode's state now (a record stays correctable after the pathway moves on)."""
    if _role(actor) not in ACTIVITY_BY_TASK[task].roles:
        raise MoveRefused(f"Your role cannot {what}.")


def _counselling_dates_check(episode: Episode, held_on: datetime.date) -> None:
    label = "The date of the counselling session"
    clinical_date_check(field="held_on", value=held_on, patient=episode.patient, label=label)
    not_before_check(field="held_on", value=held_on, earliest=episode.referral_received_on,
                     label=label, cause="the referral was received")


def _aids_shown(kinds) -> list[dict]:
    """The versions of the decision aid shown, as stored: at least one, each known."""
    given = set(kinds or ())
    kinds = [k for k in AID_KINDS if k in given]
    if not kinds or given - set(AID_KINDS):
        raise ValidationError({"aids_shown": "Select which versions of the decision aid the "
                                             "patient saw"})
    versions = aid_versions()
    return [versions[k].as_dict() for k in kinds]


def sd_risk_codes() -> tuple[str, ...]:
    return tuple(r.code for r in risks_for(Intervention.SELECTIVE_DENERVATION))


@transaction.atomic
def counselling_session_create(*, episode: Episode, held_on: datetime.date,
                               answers: dict[str, str],
                               acknowledged: set[str] | frozenset[str], aids_shown,
                               notes: str = "", actor: Actor,
                               amends: CounsellingSession | None = None,
                               correction_reason: str = "") -> CounsellingSession:
    """Record a counselling session with the decision aid: the patient's answers to the
    values questions, and each risk of selective denervation disclosed with whether the
    patient acknowledged it (a snapshot of the risk as shown). The first session of an
    episode that is listed for surgery starts counselling on the pathway (the table's first
    move of the work). ActivityRefused, a MoveRefused, when the table does not allow the
    actor's role to counsel now. `aids_shown` names the versions of the decision aid the
    patient saw ("patient", "clinician"; at least one), stored with their edition.

    With `amends`, the session corrects that one (with `correction_reason`): it meets every
    rule a new session meets, re-records its disclosures as entered now, moves nothing on
    the pathway, and leaves the amended session (and any consent resting on it) as it was."""
    if amends is not None:
        _correction_allowed(actor, Task.RECORD_COUNSELLING, "correct counselling")
        correction_reason = correction_check(old=amends, reason=correction_reason)
        if amends.episode_id != episode.pk:
            raise ValidationError("That counselling session is not one of this episode's.")
        starting = None
    else:
        state = _state_now(episode)
        check_may(_role(actor), Task.RECORD_COUNSELLING, state)
        starting = first_move(Task.RECORD_COUNSELLING, state)
    _counselling_dates_check(episode, held_on)
    unknown = set(acknowledged) - set(sd_risk_codes())
    if unknown:
        raise ValueError(f"Unknown risk codes: {', '.join(sorted(unknown))}")
    shown = _aids_shown(aids_shown)
    edition = shown[0]["version"].rsplit("-", 1)[0]  # "collis-decision-aid/2"
    session = CounsellingSession(
        episode=episode, patient_id=episode.patient_id, held_on=held_on,
        decision_aid_version=edition,
        decision_aid_produced_on=datetime.date.fromisoformat(shown[0]["produced_on"]),
        risk_catalogue_digest=catalogue_digest(), decision_aids_shown=shown,
        values_answers=[{"code": q.code, "question": q.question,
                         "answer": (answers.get(q.code) or "").strip()}
                        for q in VALUES_QUESTIONS],
        notes=notes.strip(), created_by=actor.user, supersedes=amends,
        policy_version=policy_in_force().version)
    session.full_clean()
    session.save()
    disclosures = []
    for position, code in enumerate(sd_risk_codes(), start=1):
        snapshot = disclosure_snapshot(risk(code))
        disclosure = RiskDisclosure(session=session, position=position,
                                    acknowledged=code in acknowledged, **snapshot)
        disclosure.full_clean(exclude=["session"])
        disclosures.append(disclosure)
    RiskDisclosure.objects.bulk_create(disclosures)
    acknowledged_codes = [d.risk_code for d in disclosures if d.acknowledged]
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="counselling_session",
                 object_id=session.pk, patient_id=episode.patient_id,
                 summary=f"Recorded counselling for episode {episode.pk}: "
                         f"{len(acknowledged_codes)} of {len(disclosures)} risks acknowledged"
                         + (f" (amending session {amends.pk})" if amends else ""),
                 details={"episode": episode.pk, "decision_aid": edition,
                          "decision_aids_shown": [v["version"] for v in shown],
                          "policy_version": session.policy_version.number,
                          "catalogue_digest": session.risk_catalogue_digest,
                          "disclosed": [d.risk_code for d in disclosures],
                          "acknowledged": acknowledged_codes,
                          "amends": amends.pk if amends else None})
    if amends is not None:
        record_supersede(old=amends, new=session, reason=correction_reason, actor=actor,
                         object_type="counselling_session", patient_id=episode.patient_id)
    if starting is not None:
        episode_transition(episode=episode, event=starting.event, actor=actor,
                           reason=f"Counselling with {edition} on "
                                  f"{date_long(held_on)}")
    return session


def counselling_session_mark_entered_in_error(*, session: CounsellingSession, reason: str,
                                              actor: Actor) -> CounsellingSession:
    """Mark a counselling session entered in error: it leaves the episode's summaries (and
    is no longer what a new consent rests on) but stays in the record's history. A consent
    already taken on it stays bound to what was disclosed, and says so."""
    _correction_allowed(actor, Task.RECORD_COUNSELLING, "correct counselling")
    return record_mark_entered_in_error(record=session, reason=reason, actor=actor,
                                        object_type="counselling_session",
                                        patient_id=session.patient_id)


def planned_denervation(episode: Episode) -> tuple[list[dict], str]:
    """The planned denervation (muscles, sides, nerve targets) and where it came from: the
    latest MDT decision of the episode if the mdt app stores one, otherwise the patient's
    latest candidacy assessment."""
    plan, source = _plan_from_mdt(episode)
    if plan is not None:
        return plan, source
    assessment = episode.patient.candidacy_assessments.order_by("-assessed_at", "-id").first()
    if assessment is not None:
        plan = [{k: e.get(k, "") for k in ("muscle", "side", "target")}
                for e in (assessment.result or {}).get("denervation_plan", [])]
        return plan, (f"Candidacy assessment of {date_long(assessment.assessed_at.date())} "
                      f"({assessment.ruleset})")
    return [], "No planned denervation is recorded"


def _plan_from_mdt(episode: Episode) -> tuple[list[dict] | None, str]:
    """The planned denervation of the episode's current (uncorrected) MDT decision."""
    from collis.mdt.models import MdtDecision

    decision = (MdtDecision.objects.current().filter(episode=episode)
                .prefetch_related("planned").order_by("-created_at", "-pk").first())
    if decision is None or not decision.planned.all():
        return None, ""
    plan = [{"muscle": p.muscle, "side": p.side, "target": p.target}
            for p in decision.planned.all()]
    return plan, f"MDT decision of {decision.created_at:%d %B %Y}"


@transaction.atomic
def consent_create(*, episode: Episode, signature_method: str, patient_typed_name: str,
                   patient_signed_on: datetime.date, surgeon_signed_on: datetime.date,
                   actor: Actor) -> Consent:
    """Record the patient's and the surgeon's (the actor's) consent to the planned
    selective denervation, based on the latest current counselling session. Refused
    (ConsentRefused) when there is no counselling or a risk of SD was not disclosed and
    acknowledged; refused (ValidationError on the date's field) for a date in the future,
    within the cooling-off period after the counselling as recorded, or a surgeon's date
    before the patient's; refused (MoveRefused, with the table's message, before anything
    else is checked) when the pathway does not allow it."""
    check_may(_role(actor), Event.RECORD_CONSENT, _state_now(episode))
    session = counselling_latest(episode)  # the latest current one
    if session is None:
        raise ConsentRefused("Record a counselling session before consent: no risks have "
                             "been disclosed for this episode.")
    acknowledged = {d.risk_code for d in session.disclosures.all() if d.acknowledged}
    missing = [risk(code).name for code in sd_risk_codes() if code not in acknowledged]
    if missing:
        raise ConsentRefused(
            f"Not every risk was disclosed and acknowledged at the counselling session of "
            f"{date_long(session.held_on)}: {'; '.join(missing)}. Record a counselling "
            f"session that covers them first.")
    patient = episode.patient
    clinical_date_check(field="patient_signed_on", value=patient_signed_on, patient=patient,
                        label="The date the patient signed")
    clinical_date_check(field="surgeon_signed_on", value=surgeon_signed_on, patient=patient,
                        label="The date the surgeon signed")
    earliest = first_signing_date(session)
    if patient_signed_on < earliest:
        recorded = recorded_on(session)
        when = (f"held on {date_long(session.held_on)}" if recorded <= session.held_on else
                f"held on {date_long(session.held_on)} and recorded on {date_long(recorded)}")
        raise ValidationError({"patient_signed_on": (
            f"Consent cannot be signed before {date_long(earliest)}: the cooling-off period "
            f"of {cooling_off_days(session)} days (local policy) runs from "
            f"the counselling session {when}.")})
    not_before_check(field="surgeon_signed_on", value=surgeon_signed_on,
                     earliest=patient_signed_on, label="The date the surgeon signed",
                     cause="the patient signed")
    if signature_method == SignatureMethod.TYPED and not patient_typed_name.strip():
        raise ValidationError({"patient_typed_name": "Enter the patient's name as typed by "
                                                     "them as a signature"})
    plan, plan_source = planned_denervation(episode)
    used = session_policy(session)
    consent = Consent(
        episode=episode, patient_id=episode.patient_id, counselling=session,
        procedure=SD_PROCEDURE, planned_denervation=plan, plan_source=plan_source,
        signature_method=signature_method,
        patient_typed_name=(patient_typed_name.strip()
                            if signature_method == SignatureMethod.TYPED else ""),
        patient_signed_on=patient_signed_on, surgeon=actor.user,
        surgeon_signed_on=surgeon_signed_on,
        cooling_off_days=used.policy.consent_cooling_off_days, policy_version=used.version,
        decision_aids_seen=list(session.decision_aids_shown), created_by=actor.user)
    consent.full_clean()
    consent.save()
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="consent",
                 object_id=consent.pk, patient_id=episode.patient_id,
                 summary=f"Recorded consent to selective denervation for episode {episode.pk}",
                 details={"episode": episode.pk, "counselling": session.pk,
                          "risks": sorted(acknowledged), "plan_source": plan_source,
                          "signature_method": signature_method,
                          "cooling_off_days": consent.cooling_off_days,
                          "policy_version": used.version.number,
                          "cooling_off_from": str(cooling_off_starts(session))})
    episode_transition(episode=episode, event=Event.RECORD_CONSENT, actor=actor,
                       reason=f"Consent signed by the patient on {date_long(patient_signed_on)}")
    return consent
