"""The FHIR API's reads of consent and documents: each consent to selective denervation
(Consent) and the PDFs the pages give (DocumentReference: clinic letters as sent, consent
forms, MDT outcome letters and decision aids), scoped to the patients the actor may see and
audited like the pages (a read is an entry in the patient's access history, a search page
one entry naming the patients on it, a PDF a download). Paged by keyset, never OFFSET."""

from __future__ import annotations

from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction, RecordStatus
from collis.fhir_api.codes_documents import COLLIS_DOCUMENT_TYPE_SYSTEM
from collis.fhir_api.mappers_documents import (
    AID_CLINICIAN,
    AID_PATIENT,
    CONSENT_FORM,
    LETTER,
    MDT_OUTCOME,
    Document,
)
from collis.fhir_api.outcomes import invalid, not_found
from collis.fhir_api.search import SearchRequest
from collis.fhir_api.selectors import Rows, _date_filter, _keyset, _one
from collis.fhir_api.selectors_records import _audit_page, _patient_ids, prefixed_pk
from collis.patients.models import Patient


def _visible(actor: Actor) -> QuerySet:
    return Patient.objects.visible_to(actor.user)


# --- Consent ----------------------------------------------------------------------------

def _consents(actor: Actor) -> QuerySet:
    """The consents of the patients the actor may see, each annotated with whether a later
    consent of its episode replaced it and what the latest confirmation on the day of
    surgery (not entered in error) said."""
    from collis.consent.models import Consent, ConsentConfirmation

    later = Consent.objects.filter(episode=OuterRef("episode")).filter(
        Q(created_at__gt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), pk__gt=OuterRef("pk")))
    last_said = (ConsentConfirmation.objects
                 .filter(consent=OuterRef("pk"), record_status=RecordStatus.CURRENT)
                 .order_by("-confirmed_on", "-created_at", "-pk")
                 .values("still_wants_to_proceed")[:1])
    return (Consent.objects.filter(patient__in=_visible(actor))
            .annotate(replaced=Exists(later), last_confirmation=Subquery(last_said))
            .select_related("patient", "surgeon", "created_by", "counselling__created_by",
                            "counselling__status_changed_by", "policy_version")
            .prefetch_related("counselling__disclosures", Prefetch(
                "confirmations", queryset=ConsentConfirmation.objects.select_related(
                    "created_by", "status_changed_by"))))


# ConsentState -> the consents that have it (`mappers_documents.consent_status`).
_CONSENT_STATUS = {
    "active": Q(replaced=False) & (Q(last_confirmation__isnull=True)
                                   | Q(last_confirmation=True)),
    "inactive": Q(replaced=True) | Q(last_confirmation=False),
}


def fhir_consent_read(*, consent_id: str, actor: Actor):
    consent = _one(_consents(actor), "Consent", consent_id)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="consent",
                 object_id=consent.pk, patient_id=consent.patient_id,
                 summary=f"Viewed the consent of episode {consent.episode_id} (FHIR)")
    return consent


def fhir_consent_search(*, search: SearchRequest, actor: Actor) -> Rows:
    consents = _consents(actor)
    for tokens in search.values("_id"):
        consents = consents.filter(pk__in=[int(t.code) for t in tokens if t.code.isdigit()])
    for ids in _patient_ids(search):
        consents = consents.filter(patient_id__in=ids)
    for tokens in search.values("status"):
        found = Q(pk__in=[])
        for token in tokens:
            found |= _CONSENT_STATUS.get(token.code, Q(pk__in=[]))
        consents = consents.filter(found)
    for value in search.values("date"):
        consents = consents.filter(_date_filter("created_at", value))
    page = _keyset(consents, search, int)
    _audit_page(actor, search, page.rows, object_type="consent",
                summary="Consents appeared in FHIR search results")
    return page


def fhir_patient_consents(*, patient: Patient, actor: Actor) -> list:
    """The patient's consents, oldest first (for `$everything`; the caller audits)."""
    return list(_consents(actor).filter(patient=patient).order_by("pk"))


# --- DocumentReference ------------------------------------------------------------------

def _letters(actor: Actor) -> QuerySet:
    """Clinic letters that were sent (a draft is not a document yet), with the version sent."""
    from collis.letters.models import ClinicLetter

    return (ClinicLetter.objects.filter(patient__in=_visible(actor),
                                        sent_version__isnull=False)
            .select_related("patient", "sent_by", "sent_version__created_by",
                            "appointment__session__room__site"))


def _mdt_decisions(actor: Actor) -> QuerySet:
    from collis.mdt.models import MdtDecision

    return (MdtDecision.objects.filter(patient__in=_visible(actor))
            .annotate(corrected=Exists(MdtDecision.objects.filter(corrects=OuterRef("pk"))))
            .select_related("patient", "created_by", "episode__patient",
                            "agenda_item__meeting__site", "assessment", "corrects"))


def _counselled_episodes(actor: Actor) -> QuerySet:
    """Episodes with a current counselling session, where the decision aid was shown; dated
    by the latest such session's entry."""
    from collis.surgery.models import Episode

    return (Episode.objects.visible_to(actor.user)
            .annotate(counselled_at=Max("counselling_sessions__created_at", filter=Q(
                counselling_sessions__record_status=RecordStatus.CURRENT)))
            .filter(counselled_at__isnull=False)
            .select_related("patient"))


# Each kind: its rows, the field its date is, and the statuses it can have (as filters).
def _sources(actor: Actor) -> dict[str, tuple[QuerySet, str, dict[str, Q]]]:
    none = Q(pk__in=[])
    return {
        LETTER: (_letters(actor), "sent_at",
                 {"current": ~Q(state="entered_in_error"),
                  "entered-in-error": Q(state="entered_in_error"), "superseded": none}),
        CONSENT_FORM: (_consents(actor), "created_at",
                       {"current": Q(replaced=False), "superseded": Q(replaced=True),
                        "entered-in-error": none}),
        MDT_OUTCOME: (_mdt_decisions(actor), "created_at",
                      {"current": Q(corrected=False), "superseded": Q(corrected=True),
                       "entered-in-error": none}),
        AID_CLINICIAN: (_counselled_episodes(actor), "counselled_at",
                        {"current": Q(), "superseded": none, "entered-in-error": none}),
        AID_PATIENT: (_counselled_episodes(actor), "counselled_at",
                      {"current": Q(), "superseded": none, "entered-in-error": none}),
    }


def _document_get(document_id: str, actor: Actor) -> Document:
    kind, _, _pk = document_id.partition("-")
    sources = _sources(actor)
    pk = prefixed_pk(document_id, kind) if kind in sources else None
    row = sources[kind][0].filter(pk=pk).first() if pk is not None else None
    if row is None:
        raise not_found(f"DocumentReference/{document_id}: no DocumentReference has this id.")
    return Document(kind, row)


def fhir_document_reference_read(*, document_id: str, actor: Actor) -> Document:
    document = _document_get(document_id, actor)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="document_reference",
                 object_id=document.id, patient_id=document.row.patient_id,
                 summary=f"Viewed the reference to a document ({document.type_code}) (FHIR)")
    return document


def _kinds_of_types(tokens) -> set[str]:
    from collis.fhir_api.mappers_documents import _TYPE_OF_KIND

    wanted = {t.code for t in tokens if t.system in (None, "", COLLIS_DOCUMENT_TYPE_SYSTEM)}
    return {kind for kind, code in _TYPE_OF_KIND.items() if code in wanted}


def fhir_document_reference_search(*, search: SearchRequest, actor: Actor) -> Rows:
    """A page of documents: sent letters, consent forms, MDT outcome letters, then the
    decision aids, each kind by keyset on its own key ("<kind>-<last pk>" as the cursor)."""
    chosen = []
    for kind, (rows, date_field, statuses) in _sources(actor).items():
        for tokens in search.values("_id"):
            rows = rows.filter(pk__in=[prefixed_pk(t.code, kind) for t in tokens])
        for ids in _patient_ids(search):
            rows = rows.filter(patient_id__in=ids)
        for tokens in search.values("type"):
            rows = rows if kind in _kinds_of_types(tokens) else rows.none()
        for tokens in search.values("status"):
            found = Q(pk__in=[])
            for token in tokens:
                found |= statuses.get(token.code, Q(pk__in=[]))
            rows = rows.filter(found)
        for value in search.values("date"):
            rows = rows.filter(_date_filter(date_field, value))
        chosen.append((kind, rows))
    page = _keyset_kinds(chosen, search)
    _audit_page(actor, search, page.rows, object_type="document_reference",
                summary="Documents appeared in FHIR search results",
                patient=lambda document: document.row.patient)
    return page


def _keyset_kinds(sources: list[tuple[str, QuerySet]], search: SearchRequest) -> Rows:
    """A page across the kinds, each walked by keyset on its primary key in turn."""
    kinds = [kind for kind, _ in sources]
    start, after = None, 0
    if search.cursor:
        head, _, pk = search.cursor.partition("-")
        if head not in kinds or not pk.isdigit():
            raise invalid("_cursor: not a cursor this server gave; start the search "
                          "again.", "_cursor")
        start, after = head, int(pk)
    found: list[Document] = []
    for kind, rows in sources:
        if start is not None and kinds.index(kind) < kinds.index(start):
            continue
        if kind == start:
            rows = rows.filter(pk__gt=after)
        wanted = search.count + 1 - len(found)
        if wanted <= 0:
            break
        found += [Document(kind, row) for row in rows.order_by("pk")[:wanted]]
    more = len(found) > search.count
    found = found[:search.count]
    return Rows(found, found[-1].id if more else "")


def fhir_patient_documents(*, patient: Patient, actor: Actor) -> list[Document]:
    """The patient's documents, each kind oldest first (for `$everything`; the caller
    audits)."""
    return [Document(kind, row) for kind, (rows, _, _) in _sources(actor).items()
            for row in rows.filter(patient=patient).order_by("pk")]


def fhir_document_pdf(*, document_id: str, actor: Actor) -> tuple[bytes, str]:
    """The document's PDF, as the pages give it, and its file name; audited as a download
    like the pages' (through the source apps' own selectors where they audit it)."""
    from collis.consent import pdfs as consent_pdfs
    from collis.consent import selectors as consent_selectors
    from collis.letters.pdfs import letter_pdf
    from collis.letters.selectors import letter_version_for_download
    from collis.mdt.documents import outcome_letter_pdf

    document = _document_get(document_id, actor)
    row = document.row
    if document.kind == LETTER:
        version = letter_version_for_download(letter=row, number=row.sent_version.number,
                                              actor=actor)
        data = letter_pdf(letter=row, version=version, author=version.created_by,
                          dated=timezone.localtime(row.sent_at).date())
        return data, f"clinic-letter-{row.pk}-v{version.number}.pdf"
    if document.kind == CONSENT_FORM:
        audit_record(actor=actor, action=AuditAction.DOWNLOAD, object_type="consent",
                     object_id=row.pk, patient_id=row.patient_id,
                     summary=f"Downloaded the consent form of episode {row.episode_id} "
                             "(FHIR)")
        return consent_pdfs.consent_form_pdf(consent=row), f"consent-episode-{row.episode_id}.pdf"
    if document.kind == MDT_OUTCOME:
        audit_record(actor=actor, action=AuditAction.DOWNLOAD, object_type="mdt_decision",
                     object_id=row.pk, patient_id=row.patient_id,
                     summary=f"Downloaded the MDT outcome letter of episode {row.episode_id} "
                             "(FHIR)")
        return (outcome_letter_pdf(row),
                f"mdt-outcome-{row.patient.nhs_number}-{row.pk}.pdf")
    if document.kind == AID_CLINICIAN:
        aid = consent_selectors.decision_aid_get(episode=row, actor=actor,
                                                 action=AuditAction.DOWNLOAD)
        return (consent_pdfs.decision_aid_pdf(patient=row.patient, aid=aid),
                f"decision-aid-clinician-episode-{row.pk}.pdf")
    aid, version = consent_selectors.patient_aid_get(episode=row, actor=actor,
                                                     action=AuditAction.DOWNLOAD)
    return (consent_pdfs.patient_aid_pdf(patient=row.patient, aid=aid, version=version),
            f"decision-aid-patient-episode-{row.pk}.pdf")

