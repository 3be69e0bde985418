"""Roles and what each may do. One table, tested as a table: views, the API and the
navigation all ask `can(user, Capability.X)`."""

from enum import StrEnum

from django.db import models


class Role(models.TextChoices):
    NEUROLOGIST = "neurologist", "Neurologist"
    NEUROSURGEON = "neurosurgeon", "Neurosurgeon"
    # A consultant who also answers for the unit's local policy under clinical governance.
    CLINICAL_LEAD = "clinical_lead", "Clinical lead"
    PHYSIOTHERAPIST = "physiotherapist", "Physiotherapist"
    NURSE_SPECIALIST = "nurse_specialist", "Nurse specialist"
    MDT_COORDINATOR = "mdt_coordinator", "MDT coordinator"
    AUDITOR = "auditor", "Service manager / auditor"
    ADMINISTRATOR = "administrator", "Administrator"
    # Keeps the public information pages and patient stories; a clinician reviews and
    # publishes what they write (ADR 0013).
    CONTENT_EDITOR = "content_editor", "Content editor"


class Capability(StrEnum):
    PATIENT_SEARCH = "patient_search"
    PATIENT_VIEW = "patient_view"
    PATIENT_CREATE = "patient_create"
    PATIENT_EDIT = "patient_edit"
    # The clinical record (diagnosis, examination, scales, toxin, medication, therapy,
    # investigations, candidacy).
    RECORD_VIEW = "record_view"
    DIAGNOSIS_RECORD = "diagnosis_record"
    EXAMINATION_RECORD = "examination_record"
    SCALE_RECORD = "scale_record"
    TOXIN_RECORD = "toxin_record"
    MEDICATION_RECORD = "medication_record"
    THERAPY_RECORD = "therapy_record"
    INVESTIGATION_RECORD = "investigation_record"
    CANDIDACY_ASSESS = "candidacy_assess"
    # The surgical pathway. Who may make each move along it is the table in
    # collis/domain/pathway.py; these say who may use which pages.
    REFERRAL_RECORD = "referral_record"
    MDT_RECORD = "mdt_record"
    FUNDING_RECORD = "funding_record"
    WAITING_LIST_VIEW = "waiting_list_view"
    COUNSELLING_RECORD = "counselling_record"
    CONSENT_RECORD = "consent_record"
    OPERATION_RECORD = "operation_record"
    PHYSIO_PROGRAMME_RECORD = "physio_programme_record"
    FOLLOW_UP_RECORD = "follow_up_record"
    AUDIT_VIEW = "audit_view"
    SITE_EDIT = "site_edit"
    USER_MANAGE = "user_manage"
    # Local policy: every member of staff reads it; only a clinical lead changes it.
    POLICY_VIEW = "policy_view"
    POLICY_EDIT = "policy_edit"
    # Enquiries from the public (collis.enquiries): reading the inbox, and answering them
    # (replies, status, assignment, notes, linking the patient, booking requests).
    ENQUIRY_VIEW = "enquiry_view"
    ENQUIRY_ANSWER = "enquiry_answer"
    # The public information pages (ADR 0013): editors draft and preview; a second person,
    # a consultant, reviews and publishes. Stories are published only with consent.
    CONTENT_EDIT = "content_edit"
    CONTENT_REVIEW = "content_review"
    STORY_RECORD = "story_record"
    # Clinics and appointments (the scheduling app).
    CLINIC_VIEW = "clinic_view"
    APPOINTMENT_BOOK = "appointment_book"
    DOUBLE_BOOKING_AGREE = "double_booking_agree"
    ATTENDANCE_RECORD = "attendance_record"
    CLINIC_SCHEDULE = "clinic_schedule"
    # Clinic letters to the GP and the referrer (collis.letters): write, edit, send, correct.
    LETTER_WRITE = "letter_write"
    # Inviting a registered patient to the patient portal, and withdrawing their access.
    PORTAL_INVITE = "portal_invite"
    # The service audit (outcomes and complications against what was disclosed, service
    # measures): aggregates only, for service managers, auditors and the clinical lead.
    SERVICE_AUDIT_VIEW = "service_audit_view"
    # A de-identified research extract of a cohort (pseudonyms, shifted dates), logged.
    RESEARCH_EXTRACT = "research_extract"
    # Defining the groups of patients (cohorts such as "operated on since 2024") that the
    # FHIR API exports with Group/{id}/$export: the clinical lead, who answers for what
    # leaves the unit (ADR 0019, addendum on groups).
    FHIR_GROUP_MANAGE = "fhir_group_manage"


_REGISTRY = {
    Capability.PATIENT_SEARCH,
    Capability.PATIENT_VIEW,
    Capability.PATIENT_CREATE,
    Capability.PATIENT_EDIT,
    # Whoever keeps a patient's registration may invite them to the patient portal.
    Capability.PORTAL_INVITE,
}
_READ = {Capability.PATIENT_SEARCH, Capability.PATIENT_VIEW, Capability.RECORD_VIEW,
         Capability.POLICY_VIEW}

# The clinical staff who answer the public's enquiries: doctors, nurse specialists and MDT
# coordinators read and answer them; physiotherapists read them (an enquiry may be about
# therapy) and pass them on; auditors and administrators, who do not open patients'
# records, do not read them (their reads and replies are in the audit log).
_ENQUIRIES = {Capability.ENQUIRY_VIEW, Capability.ENQUIRY_ANSWER}
# Every clinician reads clinic lists, books, and records who came and what was decided.
_CLINIC = {Capability.CLINIC_VIEW, Capability.APPOINTMENT_BOOK, Capability.ATTENDANCE_RECORD}
# Consultants may agree to double book their own clinic, and set up clinic sessions.
_CLINIC_CONSULTANT = _CLINIC | {Capability.DOUBLE_BOOKING_AGREE, Capability.CLINIC_SCHEDULE}
# The clinicians who see patients in clinic write the clinic letter (doctors and the nurse
# specialists who run toxin clinics); coordinators and physiotherapists do not.
_LETTERS = {Capability.LETTER_WRITE}

_CONSULTANT = {
    Capability.DIAGNOSIS_RECORD, Capability.EXAMINATION_RECORD, Capability.SCALE_RECORD,
    Capability.MEDICATION_RECORD, Capability.INVESTIGATION_RECORD, Capability.CANDIDACY_ASSESS,
    Capability.REFERRAL_RECORD, Capability.MDT_RECORD, Capability.WAITING_LIST_VIEW,
    Capability.FOLLOW_UP_RECORD}
# Consultants may draft public information and review (and so publish) what another
# person drafted: the reviewer answers for its clinical content (ADR 0013).
_CONTENT_REVIEWER = {Capability.CONTENT_EDIT, Capability.CONTENT_REVIEW}

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    # Doctors keep the whole record and run the candidacy assessment.
    Role.NEUROLOGIST: frozenset(_REGISTRY | _READ | _ENQUIRIES | {
        Capability.DIAGNOSIS_RECORD, Capability.EXAMINATION_RECORD, Capability.SCALE_RECORD,
        Capability.TOXIN_RECORD, Capability.MEDICATION_RECORD, Capability.THERAPY_RECORD,
        Capability.INVESTIGATION_RECORD, Capability.CANDIDACY_ASSESS,
        Capability.REFERRAL_RECORD, Capability.MDT_RECORD, Capability.WAITING_LIST_VIEW,
        Capability.FOLLOW_UP_RECORD} | _CONTENT_REVIEWER | _CLINIC_CONSULTANT | _LETTERS),
    Role.NEUROSURGEON: frozenset(_REGISTRY | _READ | _ENQUIRIES | {
        Capability.DIAGNOSIS_RECORD, Capability.EXAMINATION_RECORD, Capability.SCALE_RECORD,
        Capability.MEDICATION_RECORD, Capability.INVESTIGATION_RECORD,
        Capability.CANDIDACY_ASSESS, Capability.REFERRAL_RECORD, Capability.MDT_RECORD,
        Capability.FUNDING_RECORD, Capability.WAITING_LIST_VIEW,
        Capability.COUNSELLING_RECORD, Capability.CONSENT_RECORD,
        Capability.OPERATION_RECORD, Capability.PHYSIO_PROGRAMME_RECORD,
        Capability.FOLLOW_UP_RECORD} | _CONTENT_REVIEWER | _CLINIC_CONSULTANT | _LETTERS),
    # A clinical lead is a consultant (what neurologists and neurosurgeons may do between
    # them, except the surgeon's own steps: consent and the operation note) who also signs
    # off the unit's local policy.
    Role.CLINICAL_LEAD: frozenset(_REGISTRY | _READ | _CONSULTANT | _ENQUIRIES | {
        Capability.TOXIN_RECORD, Capability.THERAPY_RECORD, Capability.POLICY_EDIT,
        Capability.STORY_RECORD, Capability.SERVICE_AUDIT_VIEW,
        Capability.RESEARCH_EXTRACT, Capability.FHIR_GROUP_MANAGE} | _CONTENT_REVIEWER
        | _CLINIC_CONSULTANT | _LETTERS),
    # Nurse specialists inject toxin, rate, review and counsel; they do not make the
    # diagnosis or take consent.
    Role.NURSE_SPECIALIST: frozenset(_REGISTRY | _READ | _ENQUIRIES | {
        Capability.EXAMINATION_RECORD, Capability.SCALE_RECORD, Capability.TOXIN_RECORD,
        Capability.MEDICATION_RECORD, Capability.THERAPY_RECORD,
        Capability.INVESTIGATION_RECORD, Capability.COUNSELLING_RECORD,
        Capability.FOLLOW_UP_RECORD} | _CLINIC | _LETTERS),
    # Coordinators register referrals, file results, run MDT meetings, request funding and
    # keep the waiting list; they run the clinics' diary (sessions, bookings, arrivals) and
    # record a double booking a clinician agreed to, with the reason.
    Role.MDT_COORDINATOR: frozenset(_REGISTRY | _READ | _ENQUIRIES | {
        Capability.INVESTIGATION_RECORD, Capability.REFERRAL_RECORD, Capability.MDT_RECORD,
        Capability.FUNDING_RECORD, Capability.WAITING_LIST_VIEW, Capability.STORY_RECORD}
        | _CLINIC_CONSULTANT),
    # Physiotherapists read the record, examine, rate and record therapy sessions and the
    # post-operative programme; they do not register patients or record toxin doses.
    Role.PHYSIOTHERAPIST: frozenset(_READ | {
        Capability.EXAMINATION_RECORD, Capability.SCALE_RECORD, Capability.THERAPY_RECORD,
        Capability.PHYSIO_PROGRAMME_RECORD, Capability.FOLLOW_UP_RECORD,
        Capability.ENQUIRY_VIEW} | _CLINIC),
    # Auditors and service managers find a patient to read their access history, and filter
    # the waiting list; they change nothing.
    Role.AUDITOR: frozenset(
        {Capability.PATIENT_SEARCH, Capability.PATIENT_VIEW, Capability.AUDIT_VIEW,
         Capability.WAITING_LIST_VIEW, Capability.POLICY_VIEW, Capability.SERVICE_AUDIT_VIEW,
         Capability.RESEARCH_EXTRACT}
    ),
    # Administrators run the system (accounts, sites) and read the audit log, but do not
    # open patients' records.
    Role.ADMINISTRATOR: frozenset(
        {Capability.SITE_EDIT, Capability.USER_MANAGE, Capability.AUDIT_VIEW,
         Capability.POLICY_VIEW}
    ),
    # Content editors draft the public pages, record patient stories with their consent
    # and keep the sites' public details; they never open a patient's record and cannot
    # publish their own drafts.
    Role.CONTENT_EDITOR: frozenset(
        {Capability.CONTENT_EDIT, Capability.STORY_RECORD, Capability.SITE_EDIT}
    ),
}


def capabilities_of(user) -> frozenset[Capability]:
    """The capabilities of a signed-in, active staff user; none for anyone else."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if getattr(user, "account_type", None) != "staff":
        return frozenset()
    return ROLE_CAPABILITIES.get(user.role, frozenset())


def can(user, capability: Capability) -> bool:
    return capability in capabilities_of(user)


# What each capability lets a role do, in the words a 403 uses ("Your role cannot ..."):
# one wording per capability, never its code (a test walks the table to keep it so).
REFUSALS: dict[Capability, str] = {
    Capability.PATIENT_SEARCH: "find a patient",
    Capability.PATIENT_VIEW: "open a patient's details",
    Capability.PATIENT_CREATE: "register a patient",
    Capability.PATIENT_EDIT: "change a patient's details",
    Capability.RECORD_VIEW: "read a patient's clinical record",
    Capability.DIAGNOSIS_RECORD: "record a diagnosis",
    Capability.EXAMINATION_RECORD: "record an examination",
    Capability.SCALE_RECORD: "record a rating scale",
    Capability.TOXIN_RECORD: "record botulinum toxin treatment",
    Capability.MEDICATION_RECORD: "record medication",
    Capability.THERAPY_RECORD: "record a therapy session",
    Capability.INVESTIGATION_RECORD: "record an investigation",
    Capability.CANDIDACY_ASSESS: "run a candidacy assessment",
    Capability.REFERRAL_RECORD: "record a referral",
    Capability.MDT_RECORD: "record MDT meetings and decisions",
    Capability.FUNDING_RECORD: "request funding or record its outcome",
    Capability.WAITING_LIST_VIEW: "view the waiting list",
    Capability.COUNSELLING_RECORD: "record counselling",
    Capability.CONSENT_RECORD: "record consent",
    Capability.OPERATION_RECORD: "record an operation",
    Capability.PHYSIO_PROGRAMME_RECORD: "record the physiotherapy programme",
    Capability.FOLLOW_UP_RECORD: "record a follow-up review",
    Capability.AUDIT_VIEW: "view the audit log",
    Capability.SITE_EDIT: "change the unit's sites",
    Capability.USER_MANAGE: "manage staff accounts",
    Capability.POLICY_VIEW: "view the local policy",
    Capability.POLICY_EDIT: "change the local policy",
    Capability.ENQUIRY_VIEW: "read enquiries from the public",
    Capability.ENQUIRY_ANSWER: "answer enquiries from the public",
    Capability.CONTENT_EDIT: "edit the public information pages",
    Capability.CONTENT_REVIEW: "review and publish the public information pages",
    Capability.STORY_RECORD: "record patient stories and their consent",
    Capability.CLINIC_VIEW: "view clinic lists and appointments",
    Capability.APPOINTMENT_BOOK: "book, move or cancel appointments",
    Capability.DOUBLE_BOOKING_AGREE: "double book a clinic slot",
    Capability.ATTENDANCE_RECORD: "record attendance at an appointment",
    Capability.CLINIC_SCHEDULE: "set up clinic sessions",
    Capability.LETTER_WRITE: "write or send clinic letters",
    Capability.PORTAL_INVITE: "invite a patient to the patient portal",
    Capability.SERVICE_AUDIT_VIEW: "view the service audit",
    Capability.RESEARCH_EXTRACT: "make a de-identified research extract",
    Capability.FHIR_GROUP_MANAGE: "define the groups of patients the FHIR API exports",
}


def refusal_message(capability: Capability) -> str:
    """What a 403 says, the same words for pages, services and the API ("Your role cannot
    view the audit log."). A capability without wording still never shows its code."""
    what = REFUSALS.get(capability)
    return f"Your role cannot {what}." if what else "Your role cannot use this page."
