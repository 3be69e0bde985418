"""Reads of the patient portal. A patient reads only their own record: `portal_patient`
finds it through `Patient.objects.visible_to` (the scoped queryset of ADR 0006), and every
other read here is of that patient's rows. Every read is audited."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone

from collis.core.audit import Actor, audit_patient_shown, audit_record
from collis.core.models import AccountType, AuditAction, AuditEvent, User
from collis.core.presenters import date_long
from collis.core.roles import Role
from collis.core.selectors import AuditCursor, AuditFilters, AuditPage, audit_events_page
from collis.patients.models import Patient
from collis.portal.models import PortalInvitation


def portal_patient(*, actor: Actor) -> Patient:
    """The signed-in patient's own record (Http404 for an account without one). Showing it is
    audited once per request, as for staff."""
    patients = Patient.objects.visible_to(actor.user).select_related("home_site")
    if actor.user is None or actor.user.account_type != AccountType.PATIENT:
        raise Http404("No record.")
    found = list(patients[:2])
    if len(found) != 1:
        raise Http404("No record.")
    patient = found[0]
    audit_patient_shown(actor=actor, patient=patient,
                        summary="The patient viewed their own record in the portal")
    return patient


def portal_invitation_list(*, patient: Patient, actor: Actor) -> list[PortalInvitation]:
    """The patient's invitations to the portal, newest first (for staff; audited)."""
    invitations = list(patient.portal_invitations.select_related("created_by", "revoked_by"))
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="portal_invitation_list",
                 patient_id=patient.pk,
                 summary=f"Viewed the portal access of {patient.nhs_number}")
    return invitations


@dataclass(frozen=True, slots=True)
class Access:
    """One access to the record as the patient reads it."""

    event: AuditEvent
    who: str
    role: str
    what: str
    why: str
    is_self: bool


@dataclass(frozen=True, slots=True)
class AccessPage:
    accesses: list[Access]
    newer: AuditCursor | None
    older: AuditCursor | None


def _what(event: AuditEvent) -> str:
    """What was looked at or done, in the words of the entry."""
    label = AuditAction(event.action).label if event.action in AuditAction.values else ""
    summary = event.summary or event.object_type.replace("_", " ")
    if event.action == AuditAction.SEARCH:
        # A search page names every patient it showed: say only that this one was among them.
        return "Your name appeared in a search of patients"
    if event.details and isinstance(event.details, dict) and event.details.get("patients"):
        return f"{label}: a list of patients that included you"
    return summary


def portal_access_page(*, patient: Patient, actor: Actor, before: AuditCursor | None = None,
                       after: AuditCursor | None = None, per_page: int = 25,
                       include_own: bool = False) -> AccessPage:
    """A page of every audited access to the patient's record, newest first, with the name
    and role of who did it (read from the patient's own index, ADR 0010). Reading it is
    audited too, and so appears in it."""
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="access_history",
                 object_id=patient.pk, patient_id=patient.pk,
                 summary="The patient viewed who has looked at their record")
    own = None if include_own or actor.user is None else actor.user.pk
    page: AuditPage = audit_events_page(
        AuditFilters(patient_ids=(patient.pk,), exclude_actor_id=own),
        before=before, after=after, per_page=per_page)
    names = {user.pk: user for user in User.objects.filter(
        pk__in={event.actor_id for event in page.events if event.actor_id})}
    accesses = []
    for event in page.events:
        user = names.get(event.actor_id)
        is_self = bool(actor.user and event.actor_id == actor.user.pk)
        if is_self:
            who, role = "You", "Patient"
        elif user is not None and user.account_type == AccountType.PATIENT:
            who, role = "Patient portal account", "Patient"
        else:
            who = user.display_name if user else (event.actor_username or "Collis itself")
            role = (Role(event.actor_role).label if event.actor_role in Role.values
                    else (event.actor_role or ""))
            if user is not None and user.job_title:
                role = f"{role}, {user.job_title}" if role else user.job_title
        why = ""
        if isinstance(event.details, dict):
            why = str(event.details.get("reason") or "")
        accesses.append(Access(event=event, who=who, role=role, what=_what(event), why=why,
                               is_self=is_self))
    return AccessPage(accesses=accesses, newer=page.newer, older=page.older)


def portal_access_get(*, patient: Patient, event_id, actor: Actor) -> Access:
    """One access to the patient's record (Http404 for an entry that is not about them):
    for asking the unit about it."""
    try:
        event_id = int(event_id)
    except (TypeError, ValueError):
        raise Http404("No such access.") from None
    events = AuditEvent.objects.for_patient(patient.pk).filter(pk=event_id)
    event = next(iter(events), None)
    if event is None:
        raise Http404("No such access.")
    user = User.objects.filter(pk=event.actor_id).first() if event.actor_id else None
    who = "You" if (actor.user and event.actor_id == actor.user.pk) else (
        user.display_name if user else event.actor_username or "Collis itself")
    role = Role(event.actor_role).label if event.actor_role in Role.values else ""
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="access_history",
                 object_id=event.pk, patient_id=patient.pk,
                 summary="The patient viewed one access to their record")
    return Access(event=event, who=who, role=role, what=_what(event), why="",
                  is_self=who == "You")


def portal_appointments(*, patient: Patient, actor: Actor) -> list:
    """The patient's appointments, newest first (audited by the scheduling selector)."""
    from collis.scheduling.selectors import appointment_list_for_patient

    return appointment_list_for_patient(patient=patient, actor=actor)


def portal_appointment(*, patient: Patient, appointment_id, actor: Actor):
    """One of the patient's own appointments (Http404 for anyone else's; audited)."""
    from collis.scheduling.selectors import appointment_get

    return appointment_get(patient=patient, appointment_id=appointment_id, actor=actor)


def portal_appointment_calendar(*, patient: Patient, appointment_id, actor: Actor,
                                host: str) -> bytes:
    """One of the patient's appointments as an iCalendar file; the download is audited."""
    from collis.portal.presenters import AppointmentView, appointment_calendar

    appointment = portal_appointment(patient=patient, appointment_id=appointment_id,
                                     actor=actor)
    view = AppointmentView(appointment)
    if not view.may_add_to_calendar:
        raise Http404("This appointment cannot be added to a calendar.")
    audit_record(actor=actor, action=AuditAction.DOWNLOAD, object_type="appointment_calendar",
                 object_id=appointment.pk, patient_id=patient.pk,
                 summary="The patient added an appointment to their calendar")
    return appointment_calendar(view, host=host)


@dataclass(frozen=True, slots=True)
class Document:
    """A document the patient can download: what it is, and where."""

    title: str
    description: str
    href: str


def _letters(*, patient: Patient, actor: Actor) -> list[Document]:
    """The patient's clinic letters as sent (collis.letters), newest first, each a PDF of
    the version that was sent; listing them is audited."""
    from django.urls import reverse

    from collis.core.presenters import date_long
    from collis.letters.selectors import letters_for_patient

    return [Document(
        title="Your clinic letter",
        description=f"Sent to your GP on {date_long(timezone.localtime(letter.sent_at).date())}",
        href=reverse("portal:letter_pdf", kwargs={"letter_id": letter.pk}))
        for letter in letters_for_patient(patient, actor)]


def portal_letter(*, patient: Patient, letter_id, actor: Actor):
    """One of the patient's own sent letters with the version that was sent (Http404 for a
    draft or anyone else's); the download is audited."""
    from collis.letters.models import LetterState
    from collis.letters.selectors import letter_get, letter_version_for_download

    letter = letter_get(patient=patient, letter_id=letter_id, actor=actor)
    if letter.state != LetterState.SENT or letter.sent_version_id is None:
        raise Http404("No sent letter has this id.")
    version = letter_version_for_download(letter=letter, number=letter.sent_version.number,
                                          actor=actor)
    return letter, version


def portal_outcome_decision(*, episode, actor: Actor):
    """The episode's current MDT decision, whose outcome letter the patient downloads
    (Http404 before the MDT has decided); the download is audited by the MDT's selector."""
    from collis.mdt.selectors import current_decision, decision_letter_get

    decision = current_decision(episode)
    if decision is None:
        raise Http404("The MDT has not discussed this yet.")
    return decision_letter_get(episode=episode, decision_id=decision.pk, actor=actor)


def portal_documents(*, patient: Patient, actor: Actor) -> list[Document]:
    """The documents of the patient's record they may download: for each pathway episode,
    the patient version of the decision aid, the MDT's outcome letter (once it has decided)
    and the consent form (once recorded); then their letters. Listing them is audited (the
    episode list)."""
    from django.urls import reverse

    from collis.consent.selectors import consent_latest
    from collis.mdt.selectors import current_decision
    from collis.surgery.selectors import episode_list

    documents = []
    for episode in episode_list(patient=patient, actor=actor):
        opened = timezone.localtime(episode.opened_at).date()
        about = f"For your assessment for surgery, started on {date_long(opened)}."
        documents.append(Document(
            title="Deciding about selective denervation surgery (decision aid)",
            description=about, href=reverse("portal:decision_aid_pdf",
                                            kwargs={"episode_id": episode.pk})))
        decision = current_decision(episode)
        if decision is not None:
            decided = timezone.localtime(decision.created_at).date()
            documents.append(Document(
                title="The MDT's outcome letter",
                description=f"What the team decided on {date_long(decided)}, as sent to "
                            "the doctor who referred you and your GP.",
                href=reverse("portal:outcome_letter_pdf", kwargs={"episode_id": episode.pk})))
        if consent_latest(episode) is not None:
            documents.append(Document(
                title="Your consent form", description=about,
                href=reverse("portal:consent_pdf", kwargs={"episode_id": episode.pk})))
    return documents + _letters(patient=patient, actor=actor)


def portal_episode(*, patient: Patient, episode_id, actor: Actor):
    """One of the patient's own pathway episodes (Http404 for anyone else's; audited)."""
    from collis.surgery.selectors import episode_get

    return episode_get(patient=patient, episode_id=episode_id, actor=actor)


def portal_fhir_bundle(*, patient: Patient, actor: Actor, patient_reported: list,
                       base_url: str) -> dict:
    """The patient's record as a FHIR R4 Bundle of type collection: what the FHIR API serves
    about them (`Patient/$everything`, read and audited by its selector) and the
    questionnaires they sent, with fullUrls under `base_url` (".../fhir/R4/")."""
    from collis.fhir_api import mappers, registry

    return mappers.collection_bundle(
        served=registry.patient_everything(str(patient.pk), actor),
        not_served=[mappers.patient_reported_observation_resource(r)
                    for r in patient_reported],
        base_url=base_url, timestamp=timezone.now())


def _surgery_part(episode, actor: Actor) -> dict:
    """An episode's MDT decision (the current one), operation note and follow-up, each read
    (and audited) by its app's selector; None where there is none yet."""
    from collis.mdt.selectors import decision_list
    from collis.outcomes.selectors import follow_up_get, operation_get

    decisions = decision_list(episode=episode, actor=actor)
    corrected = {d.corrects_id for d in decisions if d.corrects_id}
    current = next((d for d in decisions if d.pk not in corrected), None)
    operation = operation_get(episode=episode, actor=actor)
    return {"decision": current, "operation": operation,
            "follow_up": follow_up_get(episode=episode, actor=actor) if operation else None}


def portal_data_export(*, patient: Patient, actor: Actor, as_pdf: bool = False,
                       fhir_base_url: str = "") -> bytes:
    """A copy of the patient's data, as JSON (`export.DataExportOut`, with the FHIR Bundle)
    or as a PDF summary, of the record's current entries (`export.ENTRIES_NOTE`). Each part
    is read through its app's selector (each audited); the delivery is audited with the
    file's size and SHA-256, so that what was given can be shown later."""
    import hashlib

    from collis.assessments.selectors import diagnosis_history, examination_list, scale_list
    from collis.investigations.selectors import investigation_list
    from collis.portal import export
    from collis.questionnaires.selectors import patient_reported_list
    from collis.scheduling.selectors import appointment_list_for_patient
    from collis.surgery.selectors import episode_list
    from collis.treatments.selectors import (
        medication_list,
        therapy_session_list,
        toxin_record_get,
    )

    toxin = toxin_record_get(patient=patient, actor=actor)
    questionnaires = patient_reported_list(patient=patient, actor=actor)
    episodes = episode_list(patient=patient, actor=actor)
    copy = export.RecordCopy(
        patient=patient, generated_at=timezone.now(),
        diagnosis=diagnosis_history(patient=patient, actor=actor),
        examinations=examination_list(patient=patient, actor=actor),
        toxin_cycles=list(toxin.cycles), toxin_resistance_tests=list(toxin.resistance_tests),
        scales=scale_list(patient=patient, actor=actor), questionnaires=questionnaires,
        medications=list(medication_list(patient=patient, actor=actor)),
        therapy_sessions=list(therapy_session_list(patient=patient, actor=actor)),
        investigations=investigation_list(patient=patient, actor=actor),
        appointments=appointment_list_for_patient(patient=patient, actor=actor),
        episodes=episodes,
        surgery=[_surgery_part(episode, actor) for episode in episodes],
        documents=portal_documents(patient=patient, actor=actor),
        fhir={} if as_pdf else portal_fhir_bundle(
            patient=patient, actor=actor, patient_reported=questionnaires,
            base_url=fhir_base_url))
    body = (export.export_pdf(copy) if as_pdf
            else export.export_data(copy).model_dump_json(indent=2).encode())
    kind = "PDF summary" if as_pdf else "JSON"
    audit_record(actor=actor, action=AuditAction.DOWNLOAD, object_type="data_export",
                 object_id=patient.pk, patient_id=patient.pk,
                 summary=f"The patient downloaded a copy of their data ({kind})",
                 details={"format": "pdf" if as_pdf else export.FORMAT,
                          "format_version": export.FORMAT_VERSION, "bytes": len(body),
                          "sha256": hashlib.sha256(body).hexdigest()})
    return body
