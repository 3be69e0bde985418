"""The identifier systems, profiles, extensions and code systems the FHIR API writes, each
with where it is defined. One table: the mappers, the conformance checks and the
CapabilityStatement all read these names, so a system URL is spelt once.

Sources (public specifications, not clinical facts):
  [UKCore-Id]   HL7 UK / NHS England, UK Core R4 implementation guide, "Identifier systems"
                (NHS number, GMC, NMC, HCPC, ODS organisation and site codes).
  [UKCore-Pat]  UK Core R4, profile UKCore-Patient and extension
                Extension-UKCore-NHSNumberVerificationStatus, bound (required) to the value set
                UKCore-NHSNumberVerificationStatusEngland (the NHS Data Dictionary's
                "NHS NUMBER STATUS INDICATOR CODE", codes 01 to 08).
  [FHIR-R4]     HL7 FHIR R4 (4.0.1): AdministrativeGender, Bundle, OperationOutcome
                issue-type, CapabilityStatement.
Collis's own code systems live under `COLLIS_CANONICAL` (ADR 0019)."""

from __future__ import annotations

from enum import StrEnum

from collis.core.roles import Role

FHIR_VERSION = "4.0.1"
FHIR_JSON = "application/fhir+json"

# [UKCore-Id]
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
GMC_NUMBER_SYSTEM = "https://fhir.hl7.org.uk/Id/gmc-number"
NMC_NUMBER_SYSTEM = "https://fhir.hl7.org.uk/Id/nmc-number"
HCPC_NUMBER_SYSTEM = "https://fhir.hl7.org.uk/Id/hcpc-number"
ODS_ORGANISATION_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
ODS_SITE_SYSTEM = "https://fhir.nhs.uk/Id/ods-site-code"

# [UKCore-Pat]
UKCORE = "https://fhir.hl7.org.uk/StructureDefinition/"
NHS_NUMBER_VERIFICATION_EXTENSION = UKCORE + "Extension-UKCore-NHSNumberVerificationStatus"
NHS_NUMBER_VERIFICATION_SYSTEM = (
    "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland")


class NhsNumberStatus(StrEnum):
    """NHS number status indicator codes [UKCore-Pat], with their displays."""

    VERIFIED = "01"
    NOT_TRACED = "02"
    TRACE_REQUIRED = "03"
    TRACE_NO_MATCH = "04"
    TRACE_TO_RESOLVE = "05"
    TRACE_IN_PROGRESS = "06"
    NOT_PRESENT = "07"
    TRACE_POSTPONED = "08"


NHS_NUMBER_STATUS_DISPLAY = {
    NhsNumberStatus.VERIFIED: "Number present and verified",
    NhsNumberStatus.NOT_TRACED: "Number present but not traced",
    NhsNumberStatus.TRACE_REQUIRED: "Trace required",
    NhsNumberStatus.TRACE_NO_MATCH: "Trace attempted - No match or multiple match found",
    NhsNumberStatus.TRACE_TO_RESOLVE:
        "Trace needs to be resolved - (NHS number or patient detail conflict)",
    NhsNumberStatus.TRACE_IN_PROGRESS: "Trace in progress",
    NhsNumberStatus.NOT_PRESENT: "Number not present and trace not required",
    NhsNumberStatus.TRACE_POSTPONED: "Trace postponed (baby under six weeks old)",
}
# Collis checks an NHS number's check digit but does not trace it on the Personal
# Demographics Service, so it never claims "verified" (01).
COLLIS_NHS_NUMBER_STATUS = NhsNumberStatus.NOT_TRACED

PROFILES = {
    "Patient": UKCORE + "UKCore-Patient",
    "Organization": UKCORE + "UKCore-Organization",
    "Location": UKCORE + "UKCore-Location",
    "Practitioner": UKCORE + "UKCore-Practitioner",
    "PractitionerRole": UKCORE + "UKCore-PractitionerRole",
}

# [FHIR-R4] AdministrativeGender: Collis's `Sex` values are its codes already.
ADMINISTRATIVE_GENDER = ("male", "female", "other", "unknown")

# Collis's own code systems (ADR 0019): stable names under one canonical base.
COLLIS_CANONICAL = "https://fhir.collis.example/"
COLLIS_STAFF_ROLE_SYSTEM = COLLIS_CANONICAL + "CodeSystem/staff-role"
COLLIS_SITE_CODE_SYSTEM = COLLIS_CANONICAL + "Id/site-code"
COLLIS_ORGANISATION_CODE_SYSTEM = COLLIS_CANONICAL + "Id/organisation-code"

# [FHIR-R4] observation-category (terminology.hl7.org): a rating scale is a "survey".
OBSERVATION_CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
PROFILES["Observation"] = UKCORE + "UKCore-Observation"

# Rating scales as Observations. No SNOMED CT or LOINC code for TWSTRS or Tsui is cited in
# the clinical reference, so Collis codes them in its own system, naming the instrument and
# its source there ([9] Consky & Lang 1994 for both; ranges from collis/domain/scales).
COLLIS_RATING_SCALE_SYSTEM = COLLIS_CANONICAL + "CodeSystem/rating-scale"
RATING_SCALE_SOURCE = "Consky & Lang 1994, clinical reference [9]"
RATING_SCALE_CODES = {
    "twstrs-total": "TWSTRS total score (0-85)",
    "twstrs-severity": "TWSTRS severity subscore (0-35)",
    "twstrs-disability": "TWSTRS disability subscore (0-30)",
    "twstrs-pain": "TWSTRS pain subscore (0-20)",
    "tsui-total": "Tsui scale total score (0-25)",
}

# The members of staff who are Practitioners in FHIR's sense (they give care); the
# coordinators, auditors, administrators and editors are not.
PRACTITIONER_ROLES = (Role.NEUROLOGIST, Role.NEUROSURGEON, Role.CLINICAL_LEAD,
                      Role.PHYSIOTHERAPIST, Role.NURSE_SPECIALIST)


PROFILES["Condition"] = UKCORE + "UKCore-Condition"
UCUM = "http://unitsofmeasure.org"
# The diagnosis as a Condition. No SNOMED CT code for dystonia or its classes is cited in the
# clinical reference, so the condition and the classification's axes (clinical reference
# [1], collis/domain/classification.py) are coded in Collis's own systems.
COLLIS_CONDITION_SYSTEM = COLLIS_CANONICAL + "CodeSystem/condition"
CONDITION_CODES = {"dystonia": "Dystonia"}
COLLIS_CLASSIFICATION_SYSTEM = COLLIS_CANONICAL + "CodeSystem/dystonia-classification"
CLASSIFICATION_SOURCE = "the dystonia classification, clinical reference [1]"
# The axes shown as Condition.category, each a field of the stored diagnosis.
CLASSIFICATION_AXES = ("age_at_onset", "distribution", "course", "variability",
                       "associated_features", "nervous_system_pathology", "aetiology",
                       "aetiology_subtype")


def classification_codes() -> dict[str, str]:
    """Every code of the classification system ("<axis>.<value>" and "region.<value>"),
    from the stored diagnosis's own choices (which are the domain's vocabularies)."""
    from collis.assessments.models import REGION_CHOICES, DiagnosisVersion

    found = {}
    for axis in CLASSIFICATION_AXES:
        field = DiagnosisVersion._meta.get_field(axis)
        label = str(field.verbose_name).capitalize() if axis != "age_at_onset" else (
            "Age at onset")
        found.update({f"{axis}.{value}": f"{label}: {text}" for value, text in field.choices})
    found.update({f"region.{value}": f"Body region: {text}" for value, text in REGION_CHOICES})
    return found


def code_systems() -> dict[str, dict]:
    """Collis's own code systems, published as CodeSystem resources: {id: content}. The
    staff roles come from the one roles table."""
    return {
        "staff-role": {"url": COLLIS_STAFF_ROLE_SYSTEM, "title": "Collis staff roles",
                       "concepts": {role.value: role.label for role in Role}},
        "condition": {"url": COLLIS_CONDITION_SYSTEM, "title": "Collis conditions",
                      "concepts": CONDITION_CODES},
        "dystonia-classification": {
            "url": COLLIS_CLASSIFICATION_SYSTEM, "title": "Collis dystonia classification",
            "concepts": classification_codes(),
            "definition": f"An axis value of {CLASSIFICATION_SOURCE}."},
        "rating-scale": {"url": COLLIS_RATING_SCALE_SYSTEM,
                         "title": "Collis rating-scale scores",
                         "concepts": RATING_SCALE_CODES,
                         "definition": "Scored as the instrument defines "
                                       f"({RATING_SCALE_SOURCE})."},
        **_domain_code_systems(),
        **_document_code_systems(),
    }


def _document_code_systems() -> dict[str, dict]:
    from collis.fhir_api.codes_documents import document_code_systems

    return document_code_systems()


# --- Treatments, the pathway and clinics (issue 14, item 2) -------------------------------
# Sources (besides those above):
#   [UKCore-Profiles] UK Core R4: the profiles UKCore-Procedure, UKCore-MedicationAdministration,
#                     UKCore-Medication, UKCore-EpisodeOfCare, UKCore-ServiceRequest,
#                     UKCore-Appointment, UKCore-Slot and UKCore-Schedule.
#   [NHS-OPCS4]       NHS England's FHIR naming system of OPCS-4 (the identifier system
#                     https://fhir.nhs.uk/Id/opcs-4 that NHS FHIR servers code procedures in).
#   [FHIR-R4]         EventStatus (Procedure), MedicationAdministration status codes,
#                     EpisodeOfCareStatus, RequestStatus, RequestIntent, RequestPriority,
#                     AppointmentStatus, SlotStatus, ParticipationStatus.
for _name in ("Procedure", "MedicationAdministration", "Medication", "EpisodeOfCare",
              "ServiceRequest", "Appointment", "Slot", "Schedule"):
    PROFILES[_name] = UKCORE + f"UKCore-{_name}"

# [NHS-OPCS4] The OPCS-4 codes of selective peripheral denervation for cervical dystonia are
# the pair NICE IPG80 gives, clinical reference §8, source [24] (the same pair as
# `collis.mdt.models.SD_OPCS_CODES`). The reference gives no display for either code, so
# none is written (a display nobody checked would be worse than none).
OPCS4_SYSTEM = "https://fhir.nhs.uk/Id/opcs-4"
SD_OPCS4_CODES = ("A60.6", "Z92.3")
SD_OPCS4_SOURCE = "NICE IPG80, clinical reference [24]"
SD_PROCEDURE_TEXT = "Selective peripheral denervation for cervical dystonia"

# What Collis records as procedures, in its own system (so that `code` searches one system
# for every Procedure): a toxin session has no SNOMED CT or OPCS-4 code in the reference.
COLLIS_PROCEDURE_SYSTEM = COLLIS_CANONICAL + "CodeSystem/procedure"
PROCEDURE_CODES = {
    "botulinum-toxin-injection": "Botulinum toxin injection session",
    "selective-denervation": "Selective peripheral denervation",
}

# The botulinum toxin products, by the international non-proprietary names the clinical
# reference uses (§5, sources [13]-[17]; `collis.domain.toxin.Product`). The reference
# cites no dm+d code for any of them, so none is written: the product is coded in Collis's
# own system and named in text.
COLLIS_TOXIN_PRODUCT_SYSTEM = COLLIS_CANONICAL + "CodeSystem/botulinum-toxin-product"
TOXIN_PRODUCT_SOURCE = "clinical reference §5, sources [13]-[17]"

# The pathway's states (collis/domain/pathway.py) as a code system, and the extension that
# carries the state on an EpisodeOfCare and on each entry of its status history.
COLLIS_PATHWAY_STATE_SYSTEM = COLLIS_CANONICAL + "CodeSystem/pathway-state"
COLLIS_PATHWAY_STATE_EXTENSION = COLLIS_CANONICAL + "StructureDefinition/pathway-state"
COLLIS_EPISODE_TYPE_SYSTEM = COLLIS_CANONICAL + "CodeSystem/episode-type"
EPISODE_TYPE_CODES = {"selective-denervation-pathway": "Selective denervation pathway"}

# The kinds of appointment (collis/domain/scheduling.py), as Appointment, Slot and Schedule
# service types.
COLLIS_APPOINTMENT_TYPE_SYSTEM = COLLIS_CANONICAL + "CodeSystem/appointment-type"


def _domain_code_systems() -> dict[str, dict]:
    """The code systems of treatments, the pathway and clinics, from the domain's own
    vocabularies (so they cannot drift from what is recorded)."""
    from collis.domain.pathway import STATE_LABELS
    from collis.domain.scheduling import APPOINTMENT_TYPE_LABELS
    from collis.domain.toxin import Product

    return {
        "procedure": {"url": COLLIS_PROCEDURE_SYSTEM, "title": "Collis procedures",
                      "concepts": PROCEDURE_CODES},
        "botulinum-toxin-product": {
            "url": COLLIS_TOXIN_PRODUCT_SYSTEM, "title": "Collis botulinum toxin products",
            "concepts": {p.value: p.value for p in Product},
            "definition": f"A botulinum toxin product ({TOXIN_PRODUCT_SOURCE}); units are "
                          "not interchangeable between products [18]."},
        "pathway-state": {
            "url": COLLIS_PATHWAY_STATE_SYSTEM,
            "title": "Collis selective denervation pathway states",
            "concepts": {state.value: label for state, label in STATE_LABELS.items()}},
        "episode-type": {"url": COLLIS_EPISODE_TYPE_SYSTEM, "title": "Collis episode types",
                         "concepts": EPISODE_TYPE_CODES},
        "appointment-type": {
            "url": COLLIS_APPOINTMENT_TYPE_SYSTEM, "title": "Collis appointment types",
            "concepts": {kind.value: label for kind, label in APPOINTMENT_TYPE_LABELS.items()}},
    }
