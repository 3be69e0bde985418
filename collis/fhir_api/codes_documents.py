"""The systems and codes of consent, documents, questionnaires and the audit log (issue 14,
item 2), each with where it is defined. Kept apart from `codes` so that module stays the
short table the other resources read; `codes.code_systems` publishes the code systems here.

Sources (public specifications, not clinical facts):
  [FHIR-R4-Consent]  HL7 FHIR R4 (4.0.1), Consent: ConsentState (status), the value set
                     consent-scope (code system http://terminology.hl7.org/CodeSystem/
                     consentscope, code "treatment", display "Treatment") and the example
                     value set consent-category, which includes LOINC 59284-0 (the code the
                     specification's own treatment-consent examples use; no display is
                     written, as none was checked against LOINC).
  [FHIR-R4-Doc]      HL7 FHIR R4, DocumentReference: DocumentReferenceStatus (current,
                     superseded, entered-in-error) and CompositionStatus (docStatus).
  [FHIR-R4-QR]       HL7 FHIR R4, QuestionnaireResponseStatus and PublicationStatus.
  [UKCore-Profiles]  UK Core R4: UKCore-DocumentReference, UKCore-QuestionnaireResponse and
                     UKCore-Questionnaire. No UK Core profile of Consent is claimed."""

from __future__ import annotations

from collis.fhir_api import codes

# [UKCore-Profiles]
for _name in ("DocumentReference", "QuestionnaireResponse", "Questionnaire"):
    codes.PROFILES[_name] = codes.UKCORE + f"UKCore-{_name}"

# [FHIR-R4-Consent]
CONSENT_SCOPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentscope"
CONSENT_SCOPE_TREATMENT = {"system": CONSENT_SCOPE_SYSTEM, "code": "treatment",
                           "display": "Treatment"}
LOINC_SYSTEM = "http://loinc.org"
CONSENT_CATEGORY_PATIENT_CONSENT = {"system": LOINC_SYSTEM, "code": "59284-0"}
# Consent.policyRule: the form whose sections the consent follows (by name: the reference
# cites no URL for it, and a made-up one would be worse than the name).
CONSENT_POLICY_TEXT = "NHS consent form for adults with capacity (Consent form 1)"

# Each risk disclosed, as a complex extension on the Consent: the catalogue entry
# (collis/domain/risks.py, published as the `risk` CodeSystem), each figure as the patient
# read it, the sources cited (numbers of the clinical reference), and when it was discussed
# and understood.
COLLIS_RISK_SYSTEM = codes.COLLIS_CANONICAL + "CodeSystem/risk"
COLLIS_DISCLOSED_RISK_EXTENSION = codes.COLLIS_CANONICAL + "StructureDefinition/disclosed-risk"
CLINICAL_REFERENCE = "Collis clinical reference"

# The kinds of document Collis serves (no SNOMED CT document type is cited in the clinical
# reference, so they are coded in Collis's own system).
COLLIS_DOCUMENT_TYPE_SYSTEM = codes.COLLIS_CANONICAL + "CodeSystem/document-type"
DOCUMENT_TYPES = {
    "clinic-letter": "Clinic letter",
    "consent-form": "Consent form for selective peripheral denervation",
    "decision-aid-clinician": "Decision aid, clinician version",
    "decision-aid-patient": "Decision aid, patient version",
    "mdt-outcome-letter": "MDT outcome letter",
}
PDF = "application/pdf"

# Questionnaires: the canonical URL of each questionnaire kept as data
# (collis/domain/data/questionnaires), "<base>Questionnaire/<code>", with its version.
COLLIS_QUESTIONNAIRE_BASE = codes.COLLIS_CANONICAL + "Questionnaire/"


def questionnaire_url(code: str) -> str:
    return COLLIS_QUESTIONNAIRE_BASE + code


def document_code_systems() -> dict[str, dict]:
    """The risk catalogue and the document types as code systems (from the domain's one
    catalogue, so they cannot drift from it)."""
    from collis.domain.risks import RISKS

    return {
        "risk": {"url": COLLIS_RISK_SYSTEM, "title": "Collis risk catalogue",
                 "concepts": {r.code: r.name for r in RISKS},
                 "definition": "A risk of selective denervation, GPi-DBS or botulinum "
                               f"toxin as the {CLINICAL_REFERENCE} gives it (§5-§7)."},
        "document-type": {"url": COLLIS_DOCUMENT_TYPE_SYSTEM,
                          "title": "Collis document types", "concepts": DOCUMENT_TYPES},
        **audit_code_systems(),
    }


# --- The audit log as AuditEvent (IHE Basic Audit Log Patterns' shape) --------------------
# Sources (public specifications, not clinical facts):
#   [DICOM-PS3.16] DICOM PS3.16, Context Group CID 400 (Audit Event ID) and CID 401 (Audit
#                  Event Type Code): 110100 Application Activity, 110106 Export, 110110
#                  Patient Record, 110112 Query, 110113 Security Alert, 110114 User
#                  Authentication; 110122 Login, 110123 Logout, 110137 User Security
#                  Attributes Changed. FHIR R4's audit-event-type value set includes them.
#   [FHIR-R4-Audit] HL7 FHIR R4, AuditEvent: AuditEventAction (C, R, U, D, E),
#                  AuditEventOutcome (0 success, 4 minor failure), security-source-type
#                  (4 Application Server), audit-entity-type (1 Person, 2 System Object),
#                  object-role (1 Patient), network type (2 IP address).
#   [IHE-BALP]     IHE ITI Basic Audit Log Patterns: a patient named as an entity with
#                  type Person and role Patient; the requesting user an agent with
#                  requestor true and their network address.
DCM_SYSTEM = "http://dicom.nema.org/resources/ontology/DCM"
DCM_CODES = {
    "110100": "Application Activity",
    "110106": "Export",
    "110110": "Patient Record",
    "110112": "Query",
    "110113": "Security Alert",
    "110114": "User Authentication",
    "110122": "Login",
    "110123": "Logout",
    "110137": "User Security Attributes Changed",
}
SECURITY_SOURCE_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/security-source-type"
AUDIT_ENTITY_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
OBJECT_ROLE_SYSTEM = "http://terminology.hl7.org/CodeSystem/object-role"
# Collis's own audit actions (collis.core.models.AuditAction) as each entry's subtype, so
# that nothing the log says is lost in the translation to the standard types.
COLLIS_AUDIT_ACTION_SYSTEM = codes.COLLIS_CANONICAL + "CodeSystem/audit-action"


def audit_code_systems() -> dict[str, dict]:
    from collis.core.models import AuditAction

    return {"audit-action": {"url": COLLIS_AUDIT_ACTION_SYSTEM,
                             "title": "Collis audit log actions",
                             "concepts": {a.value: a.label for a in AuditAction}}}
