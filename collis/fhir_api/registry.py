"""What the FHIR API serves: one table of resource types, each with its profile, the
capability a token's holder needs to read and to search it, its search parameters and the
selector and mapper behind each. The views dispatch through it and the CapabilityStatement
is generated from it (`capability_statement`), so the two cannot drift."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from collis.core.audit import Actor
from collis.core.roles import Capability
from collis.fhir_api import (
    codes,
    codes_documents,
    groups,
    mappers,
    mappers_audit,
    mappers_documents,
    mappers_groups,
    mappers_questionnaires,
    mappers_records,
    mappers_scheduling,
    selectors,
    selectors_audit,
    selectors_documents,
    selectors_questionnaires,
    selectors_records,
    selectors_scheduling,
    smart,
)
from collis.fhir_api.outcomes import not_found
from collis.fhir_api.search import ParamType, SearchParam, SearchRequest

R4 = "http://hl7.org/fhir/SearchParameter/"


@dataclass(frozen=True)
class Operation:
    """An operation on one resource (`Patient/{id}/$everything`): its name without the
    '$', the standard OperationDefinition it implements, and what it returns (resources)."""

    name: str
    definition: str
    documentation: str
    run: Callable[[str, Actor], list[dict]]


@dataclass(frozen=True)
class ResourceType:
    name: str
    documentation: str
    read_capability: Capability | None  # None: any member of a unit's staff
    search_capability: Capability | None
    params: tuple[SearchParam, ...]
    read: Callable[[str, Actor], dict]
    search: Callable[[SearchRequest, Actor], tuple[list[dict], str]]
    # The resource type each reference parameter points to.
    references: tuple[tuple[str, str], ...] = ()
    operations: tuple[Operation, ...] = ()

    @property
    def profile(self) -> str | None:
        """The UK Core profile the resources follow, where there is one."""
        return codes.PROFILES.get(self.name)

    @property
    def params_by_name(self) -> dict[str, SearchParam]:
        return {p.name: p for p in self.params}


def _search(selector, mapper):
    def search(request: SearchRequest, actor: Actor):
        page = selector(search=request, actor=actor)
        return [mapper(row) for row in page.rows], page.next_cursor
    return search


def patient_everything(pk: str, actor: Actor) -> list[dict]:
    """Every resource the API serves about one patient (`$everything`; also the FHIR part of
    the patient's own copy of their data, collis.portal.export)."""
    found = selectors.fhir_patient_everything(patient_id=pk, actor=actor)
    return ([mappers.patient_resource(found.patient),
             mappers.organisation_resource(found.organisation)]
            + [mappers.condition_resource(c) for c in found.conditions]
            + [mappers.observation_resource(o) for o in found.observations]
            + [mappers_records.procedure_resource(p) for p in found.procedures]
            + [mappers_records.medication_administration_resource(a)
               for a in found.administrations]
            + [mappers_records.episode_of_care_resource(e) for e in found.episodes]
            + [mappers_records.service_request_resource(e) for e in found.episodes]
            + [mappers_scheduling.appointment_resource(a) for a in found.appointments]
            + [mappers_documents.consent_resource(c) for c in found.consents]
            + [mappers_documents.document_reference_resource(d) for d in found.documents]
            + [mappers_questionnaires.questionnaire_response_resource(r)
               for r in found.questionnaire_responses])


_ID = SearchParam("_id", ParamType.TOKEN, "The resource's id.", R4 + "Resource-id")
_LAST_UPDATED = SearchParam("_lastUpdated", ParamType.DATE,
                            "When the resource last changed (prefixes eq, gt, ge, lt, le).",
                            R4 + "Resource-lastUpdated", with_time=True)

RESOURCES: tuple[ResourceType, ...] = (
    ResourceType(
        name="Patient",
        documentation="The unit's patients (UK Core Patient). Reading one is recorded in "
                      "their access history; each search page is one audit entry naming "
                      "the patients on it.",
        read_capability=Capability.PATIENT_VIEW,
        search_capability=Capability.PATIENT_SEARCH,
        params=(
            _ID,
            SearchParam("identifier", ParamType.TOKEN,
                        f"The NHS number: {codes.NHS_NUMBER_SYSTEM}|9990000018 (or the "
                        "number alone).", R4 + "Patient-identifier"),
            SearchParam("name", ParamType.STRING,
                        "Each word begins one of the patient's names, in any order "
                        "(accents and apostrophes ignored).", R4 + "Patient-name"),
            SearchParam("birthdate", ParamType.DATE,
                        "Date of birth (YYYY, YYYY-MM or YYYY-MM-DD; prefixes eq, gt, ge, "
                        "lt, le).", R4 + "individual-birthdate"),
            SearchParam("gender", ParamType.TOKEN, "male, female, other or unknown.",
                        R4 + "individual-gender"),
            _LAST_UPDATED,
        ),
        read=lambda pk, actor: mappers.patient_resource(
            selectors.fhir_patient_read(patient_id=pk, actor=actor)),
        search=_search(selectors.fhir_patient_search, mappers.patient_resource),
        operations=(Operation(
            "everything", "http://hl7.org/fhir/OperationDefinition/Patient-everything",
            "The patient, their unit and every clinical resource Collis serves about them, "
            "in one searchset Bundle (not paged: one patient's record is small). Needs "
            "the clinical record (record_view).", patient_everything),),
    ),
    ResourceType(
        name="Organization",
        documentation="The unit that keeps the records (UK Core Organization), with its "
                      "ODS code where the installation has one.",
        read_capability=None, search_capability=None,
        params=(_ID,
                SearchParam("identifier", ParamType.TOKEN,
                            f"The ODS code ({codes.ODS_ORGANISATION_SYSTEM}) or Collis's "
                            "code of the unit.", R4 + "Organization-identifier"),
                SearchParam("name", ParamType.STRING, "Part of the unit's name.",
                            R4 + "Organization-name")),
        read=lambda pk, actor: mappers.organisation_resource(
            selectors.fhir_organisation_read(organisation_id=pk, actor=actor)),
        search=_search(selectors.fhir_organisation_search, mappers.organisation_resource),
    ),
    ResourceType(
        name="Location",
        documentation="The unit's sites (UK Core Location).",
        read_capability=None, search_capability=None,
        params=(_ID,
                SearchParam("identifier", ParamType.TOKEN,
                            f"The site's code ({codes.COLLIS_SITE_CODE_SYSTEM}).",
                            R4 + "Location-identifier"),
                SearchParam("name", ParamType.STRING, "Part of the site's name.",
                            R4 + "Location-name"),
                SearchParam("status", ParamType.TOKEN, "active or inactive.",
                            R4 + "Location-status")),
        read=lambda pk, actor: mappers.location_resource(
            selectors.fhir_location_read(location_id=pk, actor=actor)),
        search=_search(selectors.fhir_location_search, mappers.location_resource),
    ),
    ResourceType(
        name="Practitioner",
        documentation="The unit's clinicians (UK Core Practitioner), with GMC, NMC or "
                      "HCPC numbers.",
        read_capability=Capability.PATIENT_VIEW, search_capability=Capability.PATIENT_VIEW,
        params=(_ID,
                SearchParam("identifier", ParamType.TOKEN,
                            f"A registration number, such as a GMC number "
                            f"({codes.GMC_NUMBER_SYSTEM}).", R4 + "Practitioner-identifier"),
                SearchParam("name", ParamType.STRING, "Each word begins the given or "
                            "family name.", R4 + "Practitioner-name")),
        read=lambda pk, actor: mappers.practitioner_resource(
            selectors.fhir_practitioner_read(user_id=pk, actor=actor,
                                             resource_type="Practitioner")),
        search=_search(selectors.fhir_practitioner_search, mappers.practitioner_resource),
    ),
    ResourceType(
        name="PractitionerRole",
        documentation="Each clinician's role in the unit (UK Core PractitionerRole).",
        read_capability=Capability.PATIENT_VIEW, search_capability=Capability.PATIENT_VIEW,
        params=(_ID,
                SearchParam("role", ParamType.TOKEN,
                            f"The role ({codes.COLLIS_STAFF_ROLE_SYSTEM}), such as "
                            "neurologist.", R4 + "PractitionerRole-role")),
        read=lambda pk, actor: mappers.practitioner_role_resource(
            selectors.fhir_practitioner_read(user_id=pk, actor=actor,
                                             resource_type="PractitionerRole")),
        search=_search(selectors.fhir_practitioner_search, mappers.practitioner_role_resource),
    ),
)



def _code_system_read(pk: str, actor: Actor) -> dict:
    systems = codes.code_systems()
    if pk not in systems:
        raise not_found(f"CodeSystem/{pk}: Collis publishes no code system with this id.")
    return mappers.code_system_resource(pk, systems[pk])


def _code_system_search(request: SearchRequest, actor: Actor):
    """Collis's own code systems: a handful, from `codes`, so one page holds them all."""
    found = []
    for pk, content in sorted(codes.code_systems().items()):
        if (all(any(t.code == pk for t in tokens) for tokens in request.values("_id"))
                and all(url == content["url"] for url in request.values("url"))):
            found.append(mappers.code_system_resource(pk, content))
    return found, ""


RESOURCES += (
    ResourceType(
        name="Observation",
        documentation="Rating scales: TWSTRS (total, with its severity, disability and pain "
                      "subscores as components) and Tsui, as the domain scored them. Reads "
                      "and search pages are in the patients' access histories.",
        read_capability=Capability.RECORD_VIEW, search_capability=Capability.RECORD_VIEW,
        params=(SearchParam("_id", ParamType.TOKEN, "The resource's id.", R4 + "Resource-id"),
                SearchParam("patient", ParamType.REFERENCE, "The patient (Patient/<id>).",
                            R4 + "clinical-patient"),
                SearchParam("code", ParamType.TOKEN,
                            f"twstrs-total or tsui-total ({codes.COLLIS_RATING_SCALE_SYSTEM}).",
                            R4 + "clinical-code"),
                SearchParam("date", ParamType.DATE, "The date of the assessment.",
                            R4 + "clinical-date"),
                SearchParam("status", ParamType.TOKEN,
                            "final, amended (a correction) or entered-in-error.",
                            R4 + "Observation-status")),
        references=(("patient", "Patient"),),
        read=lambda pk, actor: mappers.observation_resource(
            selectors.fhir_observation_read(observation_id=pk, actor=actor)),
        search=_search(selectors.fhir_observation_search, mappers.observation_resource),
    ),
    ResourceType(
        name="Condition",
        documentation="The patient's dystonia as their current diagnosis states it (one "
                      "Condition per patient, id dystonia-<patient id>; each new version of "
                      "the diagnosis is a new versionId), with the classification's axes as "
                      "categories and the body regions as body sites. Audited.",
        read_capability=Capability.RECORD_VIEW, search_capability=Capability.RECORD_VIEW,
        params=(SearchParam("_id", ParamType.TOKEN, "The resource's id.", R4 + "Resource-id"),
                SearchParam("patient", ParamType.REFERENCE, "The patient (Patient/<id>).",
                            R4 + "clinical-patient"),
                SearchParam("category", ParamType.TOKEN,
                            "An axis value such as distribution.focal or aetiology.idiopathic "
                            f"({codes.COLLIS_CLASSIFICATION_SYSTEM}).",
                            R4 + "Condition-category"),
                SearchParam("recorded-date", ParamType.DATE,
                            "When the current version of the diagnosis was recorded.",
                            R4 + "Condition-recorded-date", with_time=True)),
        references=(("patient", "Patient"),),
        read=lambda pk, actor: mappers.condition_resource(
            selectors.fhir_condition_read(condition_id=pk, actor=actor)),
        search=_search(selectors.fhir_condition_search, mappers.condition_resource),
    ),
    ResourceType(
        name="CodeSystem",
        documentation="Collis's own code systems (staff roles, conditions, the dystonia "
                      "classification, rating-scale scores), at "
                      f"their canonical URLs under {codes.COLLIS_CANONICAL}.",
        read_capability=None, search_capability=None,
        params=(SearchParam("_id", ParamType.TOKEN, "The code system's id.",
                            R4 + "Resource-id"),
                SearchParam("url", ParamType.URI, "The code system's canonical URL.",
                            R4 + "conformance-url")),
        read=_code_system_read,
        search=_code_system_search,
    ),
)

_PATIENT = SearchParam("patient", ParamType.REFERENCE, "The patient (Patient/<id>).",
                       R4 + "clinical-patient")
_CORRECTABLE_STATUS = ("completed (the current entry, amendments included) or "
                       "entered-in-error; a version an amendment replaced is not served "
                       "(reading it is 410 naming the current version).")

RESOURCES += (
    ResourceType(
        name="Procedure",
        documentation="Botulinum toxin injection sessions (id toxin-<n>) and selective "
                      "peripheral denervations (id sd-<n>, OPCS-4 "
                      f"{' + '.join(codes.SD_OPCS4_CODES)} [{codes.SD_OPCS4_SOURCE}]). "
                      "Searches return the toxin sessions, then the denervations. Reads and "
                      "search pages are in the patients' access histories.",
        read_capability=Capability.RECORD_VIEW, search_capability=Capability.RECORD_VIEW,
        params=(_ID, _PATIENT,
                SearchParam("code", ParamType.TOKEN,
                            "botulinum-toxin-injection or selective-denervation "
                            f"({codes.COLLIS_PROCEDURE_SYSTEM}), or the OPCS-4 code A60.6 "
                            f"or Z92.3 ({codes.OPCS4_SYSTEM}).", R4 + "clinical-code"),
                SearchParam("date", ParamType.DATE, "The date of the procedure.",
                            R4 + "clinical-date"),
                SearchParam("status", ParamType.TOKEN, _CORRECTABLE_STATUS,
                            R4 + "Procedure-status")),
        references=(("patient", "Patient"),),
        read=lambda pk, actor: mappers_records.procedure_resource(
            selectors_records.fhir_procedure_read(procedure_id=pk, actor=actor)),
        search=_search(selectors_records.fhir_procedure_search,
                       mappers_records.procedure_resource),
    ),
    ResourceType(
        name="MedicationAdministration",
        documentation="The botulinum toxin given into one muscle on one side (one per "
                      "injection row, id injection-<n>), part of its session's Procedure: "
                      "the product (a contained Medication with the batch number and "
                      "expiry, coded in Collis's product system: no dm+d code is cited in "
                      "the clinical reference) and the units, the product's own and never "
                      "converted. Audited.",
        read_capability=Capability.RECORD_VIEW, search_capability=Capability.RECORD_VIEW,
        params=(_ID, _PATIENT,
                SearchParam("code", ParamType.TOKEN,
                            "The product, such as onabotulinumtoxinA "
                            f"({codes.COLLIS_TOXIN_PRODUCT_SYSTEM}).", R4 + "medications-code"),
                SearchParam("effective-time", ParamType.DATE,
                            "The date of the injection session.",
                            R4 + "MedicationAdministration-effective-time"),
                SearchParam("status", ParamType.TOKEN, _CORRECTABLE_STATUS,
                            R4 + "medications-status")),
        references=(("patient", "Patient"),),
        read=lambda pk, actor: mappers_records.medication_administration_resource(
            selectors_records.fhir_medication_administration_read(administration_id=pk,
                                                                  actor=actor)),
        search=_search(selectors_records.fhir_medication_administration_search,
                       mappers_records.medication_administration_resource),
    ),
    ResourceType(
        name="EpisodeOfCare",
        documentation="Selective denervation pathway episodes, one per referral: the status "
                      "(planned, waitlist, active, finished or cancelled) with the pathway "
                      f"state behind it ({codes.COLLIS_PATHWAY_STATE_EXTENSION}), and every "
                      "move as the status history. Audited.",
        read_capability=Capability.RECORD_VIEW, search_capability=Capability.RECORD_VIEW,
        params=(_ID, _PATIENT,
                SearchParam("status", ParamType.TOKEN,
                            "planned, waitlist, active, finished or cancelled.",
                            R4 + "EpisodeOfCare-status"),
                SearchParam("date", ParamType.DATE, "When the episode was opened.",
                            R4 + "clinical-date", with_time=True)),
        references=(("patient", "Patient"),),
        read=lambda pk, actor: mappers_records.episode_of_care_resource(
            selectors_records.fhir_episode_of_care_read(episode_id=pk, actor=actor)),
        search=_search(selectors_records.fhir_episode_of_care_search,
                       mappers_records.episode_of_care_resource),
    ),
    ResourceType(
        name="ServiceRequest",
        documentation="The referral that opened each pathway episode (the same id as its "
                      "EpisodeOfCare, whose referralRequest it is): the referrer by name, "
                      "organisation and GMC number, the reason, the urgency and the date "
                      "received; active while the episode is open, completed once "
                      "discharged, revoked if withdrawn or declined. Audited.",
        read_capability=Capability.RECORD_VIEW, search_capability=Capability.RECORD_VIEW,
        params=(_ID, _PATIENT,
                SearchParam("status", ParamType.TOKEN, "active, completed or revoked.",
                            R4 + "ServiceRequest-status"),
                SearchParam("authored", ParamType.DATE, "When the referral was received.",
                            R4 + "ServiceRequest-authored")),
        references=(("patient", "Patient"),),
        read=lambda pk, actor: mappers_records.service_request_resource(
            selectors_records.fhir_service_request_read(request_id=pk, actor=actor)),
        search=_search(selectors_records.fhir_service_request_search,
                       mappers_records.service_request_resource),
    ),
    ResourceType(
        name="Appointment",
        documentation="Patients' clinic appointments: the patient, clinician and site as "
                      "participants, the slot, and the status in FHIR's AppointmentStatus "
                      "(confirmed is booked, seen fulfilled, did not attend noshow, "
                      "cancelled and rescheduled cancelled, with the reason). Audited.",
        read_capability=Capability.CLINIC_VIEW, search_capability=Capability.CLINIC_VIEW,
        params=(_ID, _PATIENT,
                SearchParam("date", ParamType.DATE, "When the appointment starts.",
                            R4 + "clinical-date", with_time=True),
                SearchParam("status", ParamType.TOKEN,
                            "booked, arrived, fulfilled, noshow or cancelled.",
                            R4 + "Appointment-status"),
                SearchParam("service-type", ParamType.TOKEN,
                            f"The kind of appointment ({codes.COLLIS_APPOINTMENT_TYPE_SYSTEM}"
                            "), such as toxin.", R4 + "Appointment-service-type")),
        references=(("patient", "Patient"),),
        read=lambda pk, actor: mappers_scheduling.appointment_resource(
            selectors_scheduling.fhir_appointment_read(appointment_id=pk, actor=actor)),
        search=_search(selectors_scheduling.fhir_appointment_search,
                       mappers_scheduling.appointment_resource),
    ),
    ResourceType(
        name="Slot",
        documentation="The slots of the unit's clinic sessions: free until their places are "
                      "taken. They show no patient.",
        read_capability=Capability.CLINIC_VIEW, search_capability=Capability.CLINIC_VIEW,
        params=(_ID,
                SearchParam("schedule", ParamType.REFERENCE,
                            "The clinic session's Schedule (Schedule/<id>).",
                            R4 + "Slot-schedule"),
                SearchParam("start", ParamType.DATE, "When the slot starts.",
                            R4 + "Slot-start", with_time=True),
                SearchParam("status", ParamType.TOKEN, "free or busy.", R4 + "Slot-status"),
                SearchParam("service-type", ParamType.TOKEN,
                            f"The kind of appointment ({codes.COLLIS_APPOINTMENT_TYPE_SYSTEM}).",
                            R4 + "Slot-service-type")),
        references=(("schedule", "Schedule"),),
        read=lambda pk, actor: mappers_scheduling.slot_resource(
            selectors_scheduling.fhir_slot_read(slot_id=pk, actor=actor)),
        search=_search(selectors_scheduling.fhir_slot_search, mappers_scheduling.slot_resource),
    ),
    ResourceType(
        name="Schedule",
        documentation="One Schedule per clinic session: its site (Location) and clinicians "
                      "(Practitioners) as actors, its kind of appointment and its hours as "
                      "the planning horizon.",
        read_capability=Capability.CLINIC_VIEW, search_capability=Capability.CLINIC_VIEW,
        params=(_ID,
                SearchParam("actor", ParamType.REFERENCE,
                            "A clinician of the session (Practitioner/<id>).",
                            R4 + "Schedule-actor"),
                SearchParam("date", ParamType.DATE,
                            "Sessions whose hours overlap the date (eq), or that start "
                            "before or after it (lt, le, gt, ge).", R4 + "Schedule-date",
                            with_time=True),
                SearchParam("service-type", ParamType.TOKEN,
                            f"The kind of appointment ({codes.COLLIS_APPOINTMENT_TYPE_SYSTEM}).",
                            R4 + "Schedule-service-type")),
        references=(("actor", "Practitioner"),),
        read=lambda pk, actor: mappers_scheduling.schedule_resource(
            selectors_scheduling.fhir_schedule_read(schedule_id=pk, actor=actor)),
        search=_search(selectors_scheduling.fhir_schedule_search,
                       mappers_scheduling.schedule_resource),
    ),
)

RESOURCES += (
    ResourceType(
        name="Consent",
        documentation="Each consent to selective peripheral denervation (scope treatment): "
                      "the patient and surgeon who signed, the day-of-surgery "
                      "confirmations as verifications, the consent form as its source, and "
                      "every risk disclosed as a "
                      f"{codes_documents.COLLIS_DISCLOSED_RISK_EXTENSION} extension (the "
                      "catalogue entry, each figure as the patient read it, its sources in "
                      "the clinical reference, when discussed and understood). active, or "
                      "inactive once a later consent replaced it or the patient said on the "
                      "day they no longer wanted to go ahead. Audited.",
        read_capability=Capability.RECORD_VIEW, search_capability=Capability.RECORD_VIEW,
        params=(_ID, _PATIENT,
                SearchParam("status", ParamType.TOKEN, "active or inactive.",
                            R4 + "Consent-status"),
                SearchParam("date", ParamType.DATE, "When the consent was recorded.",
                            R4 + "clinical-date", with_time=True)),
        references=(("patient", "Patient"),),
        read=lambda pk, actor: mappers_documents.consent_resource(
            selectors_documents.fhir_consent_read(consent_id=pk, actor=actor)),
        search=_search(selectors_documents.fhir_consent_search,
                       mappers_documents.consent_resource),
    ),
    ResourceType(
        name="DocumentReference",
        documentation="The PDFs the pages give: clinic letters as sent (letter-<n>), "
                      "consent forms (consent-<n>), MDT outcome letters (mdtoutcome-<n>) "
                      "and the decision aids of each counselled episode (aid.clinician-<n>, "
                      "aid.patient-<n>). Each attachment's url, DocumentReference/<id>/"
                      "$binary relative to this base, answers the PDF (application/pdf) to "
                      "the same bearer token, audited as a download. Searches return the "
                      "letters, consent forms, MDT letters, then the decision aids. Audited.",
        read_capability=Capability.RECORD_VIEW, search_capability=Capability.RECORD_VIEW,
        params=(_ID, _PATIENT,
                SearchParam("type", ParamType.TOKEN,
                            "clinic-letter, consent-form, mdt-outcome-letter, "
                            "decision-aid-clinician or decision-aid-patient "
                            f"({codes_documents.COLLIS_DOCUMENT_TYPE_SYSTEM}).",
                            R4 + "clinical-type"),
                SearchParam("date", ParamType.DATE,
                            "When the document was made (a letter: when it was sent).",
                            R4 + "DocumentReference-date", with_time=True),
                SearchParam("status", ParamType.TOKEN,
                            "current, superseded or entered-in-error.",
                            R4 + "DocumentReference-status")),
        references=(("patient", "Patient"),),
        read=lambda pk, actor: mappers_documents.document_reference_resource(
            selectors_documents.fhir_document_reference_read(document_id=pk, actor=actor)),
        search=_search(selectors_documents.fhir_document_reference_search,
                       mappers_documents.document_reference_resource),
    ),
)

RESOURCES += (
    ResourceType(
        name="Questionnaire",
        documentation="The questionnaires patients answer in the portal, as the unit keeps "
                      "them (one per definition, id its code), at their canonical URLs under "
                      f"{codes.COLLIS_CANONICAL}Questionnaire/ with their version: each "
                      "question an integer item (linkId its code) with its whole-number "
                      "answer options, the instrument's sources and licence in the "
                      "description and copyright. No patient data.",
        read_capability=None, search_capability=None,
        params=(_ID,
                SearchParam("url", ParamType.URI,
                            "The questionnaire's canonical URL (optionally |version).",
                            R4 + "conformance-url"),
                SearchParam("name", ParamType.STRING,
                            "Begins the questionnaire's computable name or its title "
                            "(ignoring case).", R4 + "conformance-name")),
        read=lambda pk, actor: mappers_questionnaires.questionnaire_resource(
            selectors_questionnaires.fhir_questionnaire_read(questionnaire_id=pk)),
        search=lambda request, actor: (
            [mappers_questionnaires.questionnaire_resource(q) for q in
             selectors_questionnaires.fhir_questionnaire_search(search=request)], ""),
    ),
    ResourceType(
        name="QuestionnaireResponse",
        documentation="The questionnaires patients sent from the portal (status completed; "
                      "a draft not yet sent is not served): the questionnaire as its "
                      "canonical url|version, the patient as subject, author and source, "
                      "authored when sent, each answer a valueInteger under the question's "
                      "linkId. Reads and search pages are in the patients' access "
                      "histories.",
        read_capability=Capability.RECORD_VIEW, search_capability=Capability.RECORD_VIEW,
        params=(_ID, _PATIENT,
                SearchParam("status", ParamType.TOKEN,
                            "completed (every answer served was sent).",
                            R4 + "QuestionnaireResponse-status"),
                SearchParam("authored", ParamType.DATE, "When the patient sent the answers.",
                            R4 + "QuestionnaireResponse-authored", with_time=True),
                SearchParam("questionnaire", ParamType.REFERENCE,
                            "The questionnaire: its id, Questionnaire/<id> or its canonical "
                            "URL, each optionally |version.",
                            R4 + "QuestionnaireResponse-questionnaire")),
        references=(("patient", "Patient"), ("questionnaire", "Questionnaire")),
        read=lambda pk, actor: mappers_questionnaires.questionnaire_response_resource(
            selectors_questionnaires.fhir_questionnaire_response_read(response_id=pk,
                                                                      actor=actor)),
        search=_search(selectors_questionnaires.fhir_questionnaire_response_search,
                       mappers_questionnaires.questionnaire_response_resource),
    ),
)

RESOURCES += (
    ResourceType(
        name="AuditEvent",
        documentation="The audit log, newest first, in the shape of IHE's Basic Audit Log "
                      "Patterns: the DICOM event type and the FHIR action, Collis's own "
                      "action as a subtype, the user as the requesting agent, the patient "
                      "as an entity (type Person, role Patient). For those who may read "
                      "the log on the pages (audit_view); reading it is itself recorded.",
        read_capability=Capability.AUDIT_VIEW, search_capability=Capability.AUDIT_VIEW,
        params=(SearchParam("patient", ParamType.REFERENCE,
                            "The patient (Patient/<id>): their access history, searches "
                            "that showed them included.", R4 + "AuditEvent-patient"),
                SearchParam("date", ParamType.DATE, "When the entry was recorded.",
                            R4 + "AuditEvent-date", with_time=True),
                SearchParam("action", ParamType.TOKEN,
                            "C (create), R (read or download), U (update), D (delete) or E "
                            "(search, sign-in and sign-out).", R4 + "AuditEvent-action")),
        references=(("patient", "Patient"),),
        read=lambda pk, actor: mappers_audit.audit_event_resource(
            selectors_audit.fhir_audit_event_read(event_id=pk, actor=actor)),
        search=_search(selectors_audit.fhir_audit_event_search,
                       mappers_audit.audit_event_resource),
    ),
)

def _group_search(request: SearchRequest, actor: Actor):
    found, next_cursor = groups.fhir_group_search(search=request, actor=actor)
    return [mappers_groups.group_resource(row) for row in found], next_cursor


RESOURCES += (
    ResourceType(
        name="Group",
        documentation="Groups of the unit's patients defined by its clinical lead on the "
                      "pages (/fhir/groups/), such as everyone operated on since a date: "
                      "definitional (actual false), each criterion a characteristic, "
                      "quantity the number of patients the token's holder may see who meet "
                      "them now; no member list (the criteria are evaluated when read or "
                      "exported). Group/{id}/$export exports their records. A group names "
                      "no patient, so reading one is not in any access history.",
        read_capability=Capability.RECORD_VIEW, search_capability=Capability.RECORD_VIEW,
        params=(_ID,
                SearchParam("name", ParamType.STRING,
                            "Part of the group's name (not a standard Group parameter in "
                            "R4; Collis's own).")),
        read=lambda pk, actor: mappers_groups.group_resource(
            groups.fhir_group_read(group_id=pk, actor=actor)),
        search=lambda request, actor: _group_search(request, actor),
    ),
)

BY_NAME = {resource.name: resource for resource in RESOURCES}


BULK_DATA = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/"


def _bulk_operations() -> tuple[dict, dict, dict]:
    """The Bulk Data export operations: system-level, on Patient and on Group
    (`collis.fhir_api.bulk`)."""
    from collis.fhir_api import bulk

    since = "; ".join(f"{name}: {text}" for name, text in bulk.since_meanings().items())
    common = ("Kick off with 'Prefer: respond-async' (202 and a Content-Location to poll); "
              f"_type, _since (an instant) and _outputFormat ({bulk.NDJSON}) are accepted. "
              f"What _since means for each type: {since}.")
    return ({"name": "export", "definition": BULK_DATA + "export",
             "documentation": "Bulk Data export of every resource type the token's holder "
                              f"may read ({', '.join(bulk.SYSTEM_TYPES)}). " + common},
            {"name": "export", "definition": BULK_DATA + "patient-export",
             "documentation": "Bulk Data export of the patients the token's holder may see "
                              f"and their records ({', '.join(bulk.PATIENT_TYPES)}). "
                              + common},
            {"name": "export", "definition": BULK_DATA + "group-export",
             "documentation": "Bulk Data export of a Group's patients (its criteria "
                              "evaluated as the export runs, among those the holder may "
                              f"see) and their records ({', '.join(bulk.PATIENT_TYPES)}). "
                              + common})


def _operations(resource: ResourceType, type_exports: dict[str, dict]) -> list[dict]:
    found = [{"name": op.name, "definition": op.definition, "documentation": op.documentation}
             for op in resource.operations]
    return found + ([type_exports[resource.name]] if resource.name in type_exports else [])


def capability_statement(*, base_url: str, software_version: str, date: str) -> dict:
    """The CapabilityStatement of this server, built from `RESOURCES` (and the Bulk Data
    export's operations)."""
    system_export, patient_export, group_export = _bulk_operations()
    type_exports = {"Patient": patient_export, "Group": group_export}
    from collis.fhir_api import includes
    smart_security = smart.capability_security(base_url=base_url)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": date,
        "publisher": "Collis",
        "kind": "instance",
        "software": {"name": "Collis", "version": software_version},
        "implementation": {"description": "Collis FHIR R4 API", "url": base_url},
        "fhirVersion": codes.FHIR_VERSION,
        "format": [codes.FHIR_JSON, "json"],
        "rest": [{
            "mode": "server",
            "documentation": "Read and search of the unit's records, scoped to what the "
                             "token's holder may see and audited like the pages. Search "
                             "pages are Bundles of type searchset whose next link carries a "
                             "keyset cursor (_cursor); _count sets the page size. _include "
                             "and _revinclude (the values each type lists) add the "
                             "resources referred to, or referring (at most "
                             f"{settings.COLLIS_FHIR_REVINCLUDE_MAX} per _revinclude value "
                             "and page, with an OperationOutcome warning past it), with "
                             "search mode include, read as if searched for: scoped and "
                             "audited. Unknown parameters are refused with an "
                             "OperationOutcome.",
            "security": {
                "cors": False,
                "extension": smart_security["extension"],
                "service": [{"coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                    "code": "OAuth", "display": "OAuth"}],
                    "text": "Bearer token"}, smart_security["service"]],
                "description": "Send a member of staff's API token as "
                               "'Authorization: Bearer <token>' (made with `collis token "
                               "create USERNAME`, expiring and revocable). The token sees "
                               "what its holder may see on the pages. Or, for a system "
                               "registered by an administrator, SMART Backend Services: "
                               "an access token from the token endpoint (client "
                               "credentials, private_key_jwt signed RS384 or ES384; see "
                               ".well-known/smart-configuration), which reads as the "
                               "client's unit the resource types its scopes name.",
            },
            "resource": [{
                "type": resource.name,
                **({"profile": resource.profile} if resource.profile else {}),
                "documentation": resource.documentation,
                "interaction": [{"code": "read"}, {"code": "search-type"}],
                **({"operation": _operations(resource, type_exports)}
                   if _operations(resource, type_exports) else {}),
                "versioning": "no-version",
                "readHistory": False,
                "updateCreate": False,
                **({"searchInclude": includes.search_includes(resource.name)}
                   if includes.search_includes(resource.name) else {}),
                **({"searchRevInclude": includes.search_revincludes(resource.name)}
                   if includes.search_revincludes(resource.name) else {}),
                "searchParam": [{"name": p.name, "type": p.type.value,
                                 **({"definition": p.definition} if p.definition else {}),
                                 "documentation": p.documentation}
                                for p in resource.params],
            } for resource in RESOURCES],
            "operation": [system_export],
        }],
    }
