"""Consent, documents and questionnaires as FHIR R4 resources (STYLE.md habit 9: the API
maps; it does not decide): the consent to selective denervation with every risk disclosed,
the PDFs the pages give (clinic letters as sent, consent forms, decision aids, MDT outcome
letters) as DocumentReferences whose attachment is the PDF, and the patients' questionnaire
answers with the questionnaires themselves. Each mapper takes what the selectors read and
returns a JSON-ready dict; every system and code comes from `codes` or `codes_documents`."""

from __future__ import annotations

from dataclasses import dataclass

from collis.core.models import RecordStatus
from collis.fhir_api import codes_documents as doc_codes
from collis.fhir_api.mappers import _drop_empty, _instant, _meta, reference
from collis.fhir_api.mappers_records import _clinician, _coding

# --- Consent ----------------------------------------------------------------------------


def consent_status(consent) -> str:
    """ConsentState as the record says: `inactive` once a later consent of the same episode
    replaced it, or when the latest confirmation on the day of surgery (not entered in
    error) records that the patient no longer wants to go ahead; `active` otherwise. A
    consent is append-only and never marked in error in Collis, so `entered-in-error` does
    not arise (`replaced` is annotated by the selector)."""
    if getattr(consent, "replaced", False):
        return "inactive"
    confirmations = [c for c in consent.confirmations.all()
                     if c.record_status == RecordStatus.CURRENT]
    latest = max(confirmations, key=lambda c: (c.confirmed_on, c.created_at, c.pk),
                 default=None)
    if latest is not None and not latest.still_wants_to_proceed:
        return "inactive"
    return "active"


def _disclosed_rows(consent) -> list[dict]:
    """Each risk as disclosed: the rows the consent froze, or (for consents recorded
    before those were kept) the disclosures of the counselling session it rests on."""
    if consent.risks_understood:
        return consent.risks_understood
    return [{"risk_code": d.risk_code, "name": d.name, "figures_text": d.figures_text,
             "frequency_note": d.frequency_note, "sources": d.sources,
             "discussed_on": consent.counselling.held_on.isoformat(),
             "confirmed_on": consent.counselling.held_on.isoformat() if d.acknowledged
             else ""}
            for d in consent.counselling.disclosures.all()]


def _disclosed_risk(row: dict) -> dict:
    parts = [{"url": "risk", "valueCoding": _coding(doc_codes.COLLIS_RISK_SYSTEM,
                                                    row["risk_code"], row["name"])}]
    parts += [{"url": "figure", "valueString": text} for text in row.get("figures_text", [])]
    if row.get("frequency_note"):
        parts.append({"url": "frequencyNote", "valueString": row["frequency_note"]})
    parts += [{"url": "source", "valueString": f"{doc_codes.CLINICAL_REFERENCE} [{number}]"}
              for number in row.get("sources", [])]
    if row.get("discussed_on"):
        parts.append({"url": "discussed", "valueDate": row["discussed_on"]})
    if row.get("confirmed_on"):
        parts.append({"url": "understood", "valueDate": row["confirmed_on"]})
    return {"url": doc_codes.COLLIS_DISCLOSED_RISK_EXTENSION, "extension": parts}


def consent_resource(consent) -> dict:
    """The patient's consent to selective peripheral denervation: scope treatment, the
    risks disclosed (one extension each), the patient and surgeon who signed, the plan, and
    the consent form's PDF as its source. The planned muscles are on the form itself."""
    return _drop_empty({
        "resourceType": "Consent",
        "id": str(consent.pk),
        "meta": {"lastUpdated": _instant(consent.created_at)},
        "extension": [_disclosed_risk(row) for row in _disclosed_rows(consent)],
        "status": consent_status(consent),
        "scope": {"coding": [doc_codes.CONSENT_SCOPE_TREATMENT]},
        "category": [{"coding": [doc_codes.CONSENT_CATEGORY_PATIENT_CONSENT],
                      "text": "Consent to treatment"}],
        "patient": reference("Patient", consent.patient_id),
        "dateTime": _instant(consent.created_at),
        "performer": [reference("Patient", consent.patient_id),
                      _clinician(consent.surgeon)],
        "organization": [reference("Organization", consent.patient.organisation_id)],
        "sourceReference": reference("DocumentReference", f"consent-{consent.pk}",
                                     "Consent form"),
        "policyRule": {"text": doc_codes.CONSENT_POLICY_TEXT},
        "provision": {"type": "permit",
                      "period": {"start": consent.patient_signed_on.isoformat()}},
        "verification": [_drop_empty({
            "verified": c.still_wants_to_proceed,
            "verificationDate": c.confirmed_on.isoformat(),
        }) for c in sorted(consent.confirmations.all(), key=lambda c: (c.confirmed_on, c.pk))
            if c.record_status == RecordStatus.CURRENT],
    })


# --- DocumentReference ------------------------------------------------------------------

LETTER, CONSENT_FORM, MDT_OUTCOME = "letter", "consent", "mdtoutcome"
AID_CLINICIAN, AID_PATIENT = "aid.clinician", "aid.patient"
DOCUMENT_KINDS = (LETTER, CONSENT_FORM, MDT_OUTCOME, AID_CLINICIAN, AID_PATIENT)
_TYPE_OF_KIND = {LETTER: "clinic-letter", CONSENT_FORM: "consent-form",
                 MDT_OUTCOME: "mdt-outcome-letter", AID_CLINICIAN: "decision-aid-clinician",
                 AID_PATIENT: "decision-aid-patient"}


@dataclass(frozen=True)
class Document:
    """One document behind a DocumentReference: its kind and the row it is made from (a
    ClinicLetter, Consent, MdtDecision, or an Episode for its decision aids)."""

    kind: str
    row: object

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.row.pk}"

    @property
    def type_code(self) -> str:
        return _TYPE_OF_KIND[self.kind]


def document_status(document: Document) -> str:
    """DocumentReferenceStatus as the record says: a letter marked in error is
    `entered-in-error`; a consent form replaced by a later consent of its episode, or an MDT
    outcome letter whose decision a later one corrected, is `superseded`; else `current`."""
    row = document.row
    if document.kind == LETTER:
        return "entered-in-error" if row.state == "entered_in_error" else "current"
    if document.kind == CONSENT_FORM:
        return "superseded" if getattr(row, "replaced", False) else "current"
    if document.kind == MDT_OUTCOME:
        return "superseded" if getattr(row, "corrected", False) else "current"
    return "current"


def _document_fields(document: Document) -> dict:
    """What differs between kinds: when, by whom, the episode or appointment, the title."""
    row = document.row
    if document.kind == LETTER:
        version = row.sent_version
        return {"date": row.sent_at, "author": row.sent_by,
                "context": {"related": [reference("Appointment", row.appointment_id)]},
                "title": f"Clinic letter, version {version.number}",
                "description": "The clinic letter as it was sent"}
    if document.kind == CONSENT_FORM:
        return {"date": row.created_at, "author": row.created_by,
                "context": {"encounter": [reference("EpisodeOfCare", row.episode_id)]},
                "title": "Consent form",
                "description": "Consent to selective peripheral denervation"}
    if document.kind == MDT_OUTCOME:
        return {"date": row.created_at, "author": row.created_by,
                "context": {"encounter": [reference("EpisodeOfCare", row.episode_id)]},
                "title": "MDT outcome letter",
                "description": f"MDT decision: {row.get_decision_display()}"}
    return {"date": row.counselled_at, "author": None,
            "context": {"encounter": [reference("EpisodeOfCare", row.pk)]},
            "title": doc_codes.DOCUMENT_TYPES[document.type_code],
            "description": "The decision aid for treatment options for cervical dystonia, "
                           "as the pages print it now"}


def document_reference_resource(document: Document) -> dict:
    """UK Core DocumentReference: the PDF at `DocumentReference/<id>/$binary` (relative to
    the FHIR base, as references are), the same PDF the pages give, served to those who may
    read the record and audited as a download."""
    fields = _document_fields(document)
    patient_id = document.row.patient_id
    author = fields["author"]
    type_code = document.type_code
    return _drop_empty({
        "resourceType": "DocumentReference",
        "id": document.id,
        "meta": _meta("DocumentReference", last_updated=fields["date"]),
        "status": document_status(document),
        "docStatus": "final",
        "type": {"coding": [_coding(doc_codes.COLLIS_DOCUMENT_TYPE_SYSTEM, type_code,
                                    doc_codes.DOCUMENT_TYPES[type_code])]},
        "subject": reference("Patient", patient_id),
        "date": _instant(fields["date"]),
        "author": [_clinician(author)] if author is not None else [],
        "custodian": reference("Organization", document.row.patient.organisation_id),
        "description": fields["description"],
        "content": [{"attachment": {
            "contentType": doc_codes.PDF,
            "url": f"DocumentReference/{document.id}/$binary",
            "title": fields["title"],
            **({"creation": _instant(fields["date"])} if fields["date"] else {}),
        }}],
        "context": fields["context"],
    })
