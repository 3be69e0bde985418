"""Reads of counselling and consent, and of the decision aid shown for an episode. Each
reads through an episode already fetched with `surgery.selectors.episode_get` (scoped to
who asks); reads that show a patient's records are audited."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404

from collis.consent.models import Consent, ConsentConfirmation, CounsellingSession
from collis.consent.presenters import (
    AID_CLINICIAN,
    AID_PATIENT,
    AidVersion,
    DecisionAid,
    PatientAid,
    aid_version,
    decision_aid,
    patient_aid_content,
)
from collis.core.audit import Actor, audit_record
from collis.core.corrections import record_history
from collis.core.models import AuditAction, RecordStatus
from collis.surgery.models import Episode


def counselling_list(*, episode: Episode, actor: Actor) -> list[CounsellingSession]:
    """The episode's counselling sessions, newest first, each with its disclosures: the
    current ones first, then those amended or entered in error (for the page's list of
    corrected entries; every summary reads the current ones alone)."""
    sessions = list(episode.counselling_sessions.select_related("created_by",
                                                                "status_changed_by")
                    .prefetch_related("disclosures"))
    sessions.sort(key=lambda s: s.record_status != RecordStatus.CURRENT)  # stable
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="counselling_sessions",
                 object_id=episode.pk, patient_id=episode.patient_id,
                 summary=f"Viewed counselling and consent of episode {episode.pk}",
                 details={"sessions": [s.pk for s in sessions]})
    return sessions


def counselling_get(*, episode: Episode, session_id: int, actor: Actor) -> CounsellingSession:
    """One counselling session of the episode, current or not (Http404 if it has none with
    this id)."""
    try:
        session = (episode.counselling_sessions.select_related("created_by",
                                                               "status_changed_by")
                   .prefetch_related("disclosures").get(pk=session_id))
    except (CounsellingSession.DoesNotExist, ValueError, TypeError):
        raise Http404("This episode has no counselling session with this number.") from None
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="counselling_session",
                 object_id=session.pk, patient_id=episode.patient_id,
                 summary=f"Viewed the counselling session of {session.held_on:%d %b %Y}")
    return session


def counselling_history(session: CounsellingSession) -> list[CounsellingSession]:
    """Every version of the session, oldest first (read with the session: not audited)."""
    return record_history(session)


def counselling_latest(episode: Episode) -> CounsellingSession | None:
    """The episode's latest current counselling session, which consent rests on (not
    audited: callers audit what they show)."""
    return (episode.counselling_sessions.current().prefetch_related("disclosures")
            .select_related("created_by").order_by("-held_on", "-created_at", "-id").first())


def consent_latest(episode: Episode) -> Consent | None:
    """The episode's consent, if recorded (not audited: callers audit the page), with the
    counselling session it rests on, whatever that session's status now."""
    return (episode.consents.select_related(
        "surgeon", "created_by", "counselling__created_by", "counselling__status_changed_by",
        "policy_version").prefetch_related(
        "counselling__disclosures",
        Prefetch("confirmations", queryset=ConsentConfirmation.objects.select_related(
            "created_by", "status_changed_by"))).first())


def confirmation_get(*, consent: Consent, confirmation_id) -> ConsentConfirmation:
    """One confirmation of the consent (Http404 if it has none with this id; read with the
    consent, which the caller audits)."""
    try:
        return consent.confirmations.select_related("created_by").get(pk=confirmation_id)
    except (ConsentConfirmation.DoesNotExist, ValueError, TypeError):
        raise Http404("This consent has no confirmation with this number.") from None


def consent_get(*, episode: Episode, actor: Actor,
                action: AuditAction = AuditAction.VIEW) -> Consent | None:
    consent = consent_latest(episode)
    if consent is not None:
        verb = "Downloaded the consent form" if action == AuditAction.DOWNLOAD else \
            "Viewed the consent"
        audit_record(actor=actor, action=action, object_type="consent", object_id=consent.pk,
                     patient_id=episode.patient_id,
                     summary=f"{verb} of episode {episode.pk}")
    return consent


def _aid_audit(episode: Episode, actor: Actor, action: AuditAction, kind: str) -> None:
    verb = "Downloaded" if action == AuditAction.DOWNLOAD else "Viewed"
    audit_record(actor=actor, action=action, object_type="decision_aid",
                 object_id=episode.pk, patient_id=episode.patient_id,
                 summary=f"{verb} the decision aid, {kind} version, for episode {episode.pk}",
                 details={"kind": kind, "version": aid_version(kind).version})


def decision_aid_get(*, episode: Episode, actor: Actor,
                     action: AuditAction = AuditAction.VIEW) -> DecisionAid:
    """The clinician version of the decision aid as shown (or, with DOWNLOAD, printed) for
    the episode's patient; the page or the PDF names the patient, so showing it is
    audited."""
    _aid_audit(episode, actor, action, AID_CLINICIAN)
    return decision_aid()


def patient_aid_get(*, episode: Episode, actor: Actor,
                    action: AuditAction = AuditAction.VIEW) -> tuple[PatientAid, AidVersion]:
    """The patient version of the decision aid, with its version, shown or printed for the
    episode's patient (audited as the clinician version is)."""
    _aid_audit(episode, actor, action, AID_PATIENT)
    return patient_aid_content(), aid_version(AID_PATIENT)
