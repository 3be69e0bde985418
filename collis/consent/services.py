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
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from collis.consent.models import (
    Consent,
    ConsentConfirmation,
    CounsellingSession,
    RiskDisclosure,
    SignatureMethod,
)
from collis.consent.presenters import (
    AID_KINDS,
    ALTERNATIVES,
    ANAESTHETIC,
    PROFESSIONAL_STATEMENT,
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
from collis.core.roles import Capability, can
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
                               discussed: set[str] | frozenset[str] | None = None,
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

    Understanding can be partial: `discussed` names the risks discussed at this session
    (every risk of SD when None); those discussed but not `acknowledged` wait for a later
    session to confirm them, and a risk confirmed then keeps both dates on the consent.

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
    discussed = set(sd_risk_codes()) if discussed is None else set(discussed)
    unknown = (set(acknowledged) | discussed) - set(sd_risk_codes())
    if unknown:
        raise ValueError(f"Unknown risk codes: {', '.join(sorted(unknown))}")
    if not set(acknowledged) <= discussed:
        raise ValueError("A risk can be acknowledged only where it was discussed: "
                         + ", ".join(sorted(set(acknowledged) - discussed)))
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
    for position, code in enumerate((c for c in sd_risk_codes() if c in discussed), start=1):
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


@dataclass(frozen=True)
class ConsentDetails:
    """The sections of the consent form (Consent form 1) that the surgeon fills in beyond
    the signatures: intended benefits, extra procedures, alternatives discussed, the
    interpreter and the patient's capacity."""

    intended_benefits: str
    extra_procedures: str
    alternatives_discussed: tuple[str, ...]
    interpreter_used: bool | None
    interpreter_name: str = ""
    patient_has_capacity: bool | None = None


def _details_check(details: ConsentDetails) -> None:
    """Every problem with the consent form's sections at once, each on its field."""
    errors = {}
    if not details.intended_benefits.strip():
        errors["intended_benefits"] = "Enter the benefits the operation is intended to bring"
    if not details.extra_procedures.strip():
        errors["extra_procedures"] = ("Enter any extra procedures that may become necessary, "
                                      "or write that none are expected")
    alternatives = set(details.alternatives_discussed)
    if alternatives - set(ALTERNATIVES):
        errors["alternatives_discussed"] = "Select alternatives from the list"
    elif Intervention.NO_FURTHER_TREATMENT.value not in alternatives:
        errors["alternatives_discussed"] = ("Select 'No further treatment': the form records "
                                            "that no treatment was discussed as an alternative")
    if details.interpreter_used is None:
        errors["interpreter_used"] = "Select whether an interpreter was used"
    elif details.interpreter_used and not details.interpreter_name.strip():
        errors["interpreter_name"] = "Enter the name of the interpreter"
    if details.patient_has_capacity is not True:
        errors["patient_has_capacity"] = (
            "Confirm that the patient has capacity to consent: where they lack capacity, "
            "this form does not apply")
    if errors:
        raise ValidationError(errors)


def risk_understanding(episode: Episode) -> dict[str, dict]:
    """For each risk discussed at the episode's current counselling sessions: the session
    and disclosure where it was first discussed, and those where the patient first
    confirmed they understood it (None until then), oldest session first."""
    sessions = (episode.counselling_sessions.current().prefetch_related("disclosures")
                .order_by("held_on", "created_at", "id"))
    understanding: dict[str, dict] = {}
    for session in sessions:
        for disclosure in session.disclosures.all():
            entry = understanding.setdefault(disclosure.risk_code, {
                "discussed": (session, disclosure), "confirmed": None})
            if disclosure.acknowledged and entry["confirmed"] is None:
                entry["confirmed"] = (session, disclosure)
    return understanding


def _not_yet_understood(understanding: dict[str, dict]) -> list[str]:
    missing = []
    for code in sd_risk_codes():
        entry = understanding.get(code)
        if entry is None:
            missing.append(f"{risk(code).name} (not yet discussed)")
        elif entry["confirmed"] is None:
            missing.append(f"{risk(code).name} (discussed on "
                           f"{date_long(entry['discussed'][0].held_on)}, not yet understood)")
    return missing


def _understood_rows(understanding: dict[str, dict]) -> list[dict]:
    rows = []
    for code in sd_risk_codes():
        (first, _), (session, d) = understanding[code]["discussed"], understanding[code][
            "confirmed"]
        rows.append({"risk_code": code, "name": d.name,
                     "patient_description": d.patient_description,
                     "figures_text": d.figures_text, "frequency_note": d.frequency_note,
                     "sources": d.sources, "discussed_on": first.held_on.isoformat(),
                     "discussed_session": first.pk, "confirmed_on": session.held_on.isoformat(),
                     "confirmed_session": session.pk})
    return rows


def _aids_seen(understanding: dict[str, dict], latest: CounsellingSession) -> list[dict]:
    """The versions of the aid shown at the sessions consent rests on, each once."""
    sessions = {e[k][0].pk: e[k][0] for e in understanding.values()
                for k in ("discussed", "confirmed") if e[k]} | {latest.pk: latest}
    seen: dict[str, dict] = {}
    for session in sorted(sessions.values(), key=lambda s: (s.held_on, s.pk)):
        for version in session.decision_aids_shown:
            seen.setdefault(version["version"], version)
    return list(seen.values())


@transaction.atomic
def consent_create(*, episode: Episode, signature_method: str, patient_typed_name: str,
                   patient_signed_on: datetime.date, surgeon_signed_on: datetime.date,
                   details: ConsentDetails, actor: Actor) -> Consent:
    """Record the patient's and the surgeon's (the actor's) consent to the planned
    selective denervation, with the sections of the consent form (`details`). Every risk of
    SD must have been discussed and confirmed as understood at the episode's current
    counselling sessions, at one session or over two (the consent keeps both dates); the
    cooling-off period runs from the latest session. Refused (ConsentRefused) without
    counselling or with a risk not yet understood; refused (ValidationError on the field)
    for a date in the future, within the cooling-off period, a surgeon's date before the
    patient's, or a section of the form missing; refused (MoveRefused, with the table's
    message, before anything else is checked) when the pathway does not allow it."""
    check_may(_role(actor), Event.RECORD_CONSENT, _state_now(episode))
    session = counselling_latest(episode)  # the latest current one
    if session is None:
        raise ConsentRefused("Record a counselling session before consent: no risks have "
                             "been disclosed for this episode.")
    understanding = risk_understanding(episode)
    missing = _not_yet_understood(understanding)
    if missing:
        raise ConsentRefused(
            f"Not every risk has been discussed and understood at this episode's counselling: "
            f"{'; '.join(missing)}. Record a counselling session that covers them first.")
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
    _details_check(details)
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
        decision_aids_seen=_aids_seen(understanding, session),
        risks_understood=_understood_rows(understanding),
        intended_benefits=details.intended_benefits.strip(),
        extra_procedures=details.extra_procedures.strip(),
        alternatives_discussed=[c for c in ALTERNATIVES if c in details.alternatives_discussed],
        anaesthetic=ANAESTHETIC, interpreter_used=details.interpreter_used,
        interpreter_name=details.interpreter_name.strip() if details.interpreter_used else "",
        patient_has_capacity=details.patient_has_capacity,
        professional_statement=PROFESSIONAL_STATEMENT, created_by=actor.user)
    consent.full_clean()
    consent.save()
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="consent",
                 object_id=consent.pk, patient_id=episode.patient_id,
                 summary=f"Recorded consent to selective denervation for episode {episode.pk}",
                 details={"episode": episode.pk, "counselling": session.pk,
                          "risks": [r["risk_code"] for r in consent.risks_understood],
                          "confirmed_at_sessions": sorted(
                              {r["confirmed_session"] for r in consent.risks_understood}),
                          "plan_source": plan_source,
                          "signature_method": signature_method,
                          "cooling_off_days": consent.cooling_off_days,
                          "policy_version": used.version.number,
                          "cooling_off_from": str(cooling_off_starts(session)),
                          "interpreter_used": consent.interpreter_used,
                          "alternatives_discussed": consent.alternatives_discussed})
    episode_transition(episode=episode, event=Event.RECORD_CONSENT, actor=actor,
                       reason=f"Consent signed by the patient on {date_long(patient_signed_on)}")
    return consent


def _confirmation_allowed(actor: Actor) -> None:
    if not can(actor.user, Capability.CONSENT_RECORD):
        raise MoveRefused("Your role cannot confirm consent.")


@transaction.atomic
def consent_confirmation_create(*, consent: Consent, confirmed_on: datetime.date,
                                still_wants_to_proceed: bool | None, notes: str = "",
                                actor: Actor,
                                amends: ConsentConfirmation | None = None,
                                correction_reason: str = "") -> ConsentConfirmation:
    """Record the confirmation of consent on the day of surgery, by the actor: a separate
    record made after consent. Refused (ValidationError on its field) for a date before
    consent was signed (by the patient and the surgeon) or in the future, without the
    patient's answer, or when the patient does not want to go ahead and the notes do not
    say what happens next; refused (MoveRefused) to a role that may not record consent.
    With `amends`, it corrects that confirmation (with `correction_reason`), which stays in
    the history."""
    _confirmation_allowed(actor)
    if amends is not None:
        correction_reason = correction_check(old=amends, reason=correction_reason)
        if amends.consent_id != consent.pk:
            raise ValidationError("That confirmation is not one of this consent's.")
    label = "The date of the confirmation"
    clinical_date_check(field="confirmed_on", value=confirmed_on, patient=consent.patient,
                        label=label)
    not_before_check(field="confirmed_on", value=confirmed_on,
                     earliest=max(consent.patient_signed_on, consent.surgeon_signed_on),
                     label=label, cause="consent was signed")
    if still_wants_to_proceed is None:
        raise ValidationError({"still_wants_to_proceed": "Select whether the patient still "
                                                         "wants to go ahead"})
    if not still_wants_to_proceed and not notes.strip():
        raise ValidationError({"notes": "Say what the patient said and what happens next: "
                                        "they do not want to go ahead"})
    confirmation = ConsentConfirmation(
        consent=consent, patient_id=consent.patient_id, confirmed_on=confirmed_on,
        still_wants_to_proceed=still_wants_to_proceed, notes=notes.strip(),
        created_by=actor.user, supersedes=amends)
    confirmation.full_clean()
    confirmation.save()
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="consent_confirmation",
                 object_id=confirmation.pk, patient_id=consent.patient_id,
                 summary=f"Recorded the confirmation of consent on {date_long(confirmed_on)} "
                         f"for episode {consent.episode_id}: the patient "
                         + ("still wants to go ahead" if still_wants_to_proceed
                            else "does not want to go ahead"),
                 details={"consent": consent.pk, "confirmed_on": str(confirmed_on),
                          "still_wants_to_proceed": still_wants_to_proceed,
                          "amends": amends.pk if amends else None})
    if amends is not None:
        record_supersede(old=amends, new=confirmation, reason=correction_reason, actor=actor,
                         object_type="consent_confirmation", patient_id=consent.patient_id)
    return confirmation


def consent_confirmation_mark_entered_in_error(*, confirmation: ConsentConfirmation,
                                               reason: str,
                                               actor: Actor) -> ConsentConfirmation:
    """Mark a confirmation entered in error: it stays in the history, out of summaries."""
    _confirmation_allowed(actor)
    return record_mark_entered_in_error(record=confirmation, reason=reason, actor=actor,
                                        object_type="consent_confirmation",
                                        patient_id=confirmation.patient_id)
