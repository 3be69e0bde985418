"""The role table, tested as a table."""

import pytest
from django.contrib.auth.models import AnonymousUser

from collis.core.models import AccountType, User
from collis.core.roles import ROLE_CAPABILITIES, Capability, Role, can

C = Capability
REGISTRY = {C.PATIENT_SEARCH, C.PATIENT_VIEW, C.PATIENT_CREATE, C.PATIENT_EDIT,
            C.PORTAL_INVITE}
READ = {C.PATIENT_SEARCH, C.PATIENT_VIEW, C.RECORD_VIEW, C.POLICY_VIEW}
ENQUIRIES = {C.ENQUIRY_VIEW, C.ENQUIRY_ANSWER}
REVIEWER = {C.CONTENT_EDIT, C.CONTENT_REVIEW}
CLINIC = {C.CLINIC_VIEW, C.APPOINTMENT_BOOK, C.ATTENDANCE_RECORD}
CLINIC_LEAD = CLINIC | {C.DOUBLE_BOOKING_AGREE, C.CLINIC_SCHEDULE}
EXPECTED = {
    Role.NEUROLOGIST: REGISTRY | READ | ENQUIRIES | {
        C.DIAGNOSIS_RECORD, C.EXAMINATION_RECORD, C.SCALE_RECORD, C.TOXIN_RECORD,
        C.MEDICATION_RECORD, C.THERAPY_RECORD, C.INVESTIGATION_RECORD, C.CANDIDACY_ASSESS,
        C.REFERRAL_RECORD, C.MDT_RECORD, C.WAITING_LIST_VIEW, C.FOLLOW_UP_RECORD}
    | REVIEWER | CLINIC_LEAD | {C.LETTER_WRITE},
    Role.NEUROSURGEON: REGISTRY | READ | ENQUIRIES | {
        C.DIAGNOSIS_RECORD, C.EXAMINATION_RECORD, C.SCALE_RECORD, C.MEDICATION_RECORD,
        C.INVESTIGATION_RECORD, C.CANDIDACY_ASSESS, C.REFERRAL_RECORD, C.MDT_RECORD,
        C.FUNDING_RECORD, C.WAITING_LIST_VIEW, C.COUNSELLING_RECORD, C.CONSENT_RECORD,
        C.OPERATION_RECORD, C.PHYSIO_PROGRAMME_RECORD, C.FOLLOW_UP_RECORD}
    | REVIEWER | CLINIC_LEAD | {C.LETTER_WRITE},
    Role.CLINICAL_LEAD: REGISTRY | READ | ENQUIRIES | {
        C.DIAGNOSIS_RECORD, C.EXAMINATION_RECORD, C.SCALE_RECORD, C.TOXIN_RECORD,
        C.MEDICATION_RECORD, C.THERAPY_RECORD, C.INVESTIGATION_RECORD, C.CANDIDACY_ASSESS,
        C.REFERRAL_RECORD, C.MDT_RECORD, C.WAITING_LIST_VIEW, C.FOLLOW_UP_RECORD,
        C.POLICY_EDIT, C.STORY_RECORD, C.SERVICE_AUDIT_VIEW, C.RESEARCH_EXTRACT,
        C.FHIR_GROUP_MANAGE}
    | REVIEWER | CLINIC_LEAD | {C.LETTER_WRITE},
    Role.NURSE_SPECIALIST: REGISTRY | READ | ENQUIRIES | {
        C.EXAMINATION_RECORD, C.SCALE_RECORD, C.TOXIN_RECORD, C.MEDICATION_RECORD,
        C.THERAPY_RECORD, C.INVESTIGATION_RECORD, C.COUNSELLING_RECORD, C.FOLLOW_UP_RECORD}
    | CLINIC | {C.LETTER_WRITE},
    Role.MDT_COORDINATOR: REGISTRY | READ | ENQUIRIES | {
        C.INVESTIGATION_RECORD, C.REFERRAL_RECORD, C.MDT_RECORD, C.FUNDING_RECORD,
        C.WAITING_LIST_VIEW, C.STORY_RECORD} | CLINIC_LEAD,
    Role.PHYSIOTHERAPIST: READ | {C.EXAMINATION_RECORD, C.SCALE_RECORD, C.THERAPY_RECORD,
                                  C.PHYSIO_PROGRAMME_RECORD, C.FOLLOW_UP_RECORD,
                                  C.ENQUIRY_VIEW} | CLINIC,
    Role.AUDITOR: {C.PATIENT_SEARCH, C.PATIENT_VIEW, C.AUDIT_VIEW, C.WAITING_LIST_VIEW,
                   C.POLICY_VIEW, C.SERVICE_AUDIT_VIEW, C.RESEARCH_EXTRACT},
    Role.ADMINISTRATOR: {C.SITE_EDIT, C.USER_MANAGE, C.AUDIT_VIEW, C.POLICY_VIEW},
    Role.CONTENT_EDITOR: {C.CONTENT_EDIT, C.STORY_RECORD, C.SITE_EDIT},
}


def test_every_role_has_an_entry_in_the_table():
    assert set(ROLE_CAPABILITIES) == set(Role)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("capability", list(Capability))
def test_role_capabilities_match_the_table(role, capability):
    user = User(username="x", role=role, account_type=AccountType.STAFF, is_active=True)
    assert can(user, capability) is (capability in EXPECTED[role])


def test_physiotherapist_cannot_do_what_only_an_administrator_may():
    physio = User(username="p", role=Role.PHYSIOTHERAPIST, account_type=AccountType.STAFF)
    assert not can(physio, Capability.SITE_EDIT)
    assert not can(physio, Capability.USER_MANAGE)


def test_physiotherapist_records_therapy_but_not_toxin_doses():
    physio = User(username="p", role=Role.PHYSIOTHERAPIST, account_type=AccountType.STAFF)
    assert can(physio, Capability.THERAPY_RECORD)
    assert not can(physio, Capability.TOXIN_RECORD)


def test_anonymous_and_inactive_users_can_do_nothing():
    assert not can(AnonymousUser(), Capability.PATIENT_SEARCH)
    inactive = User(username="i", role=Role.NEUROLOGIST, is_active=False)
    assert not can(inactive, Capability.PATIENT_SEARCH)


def test_a_patient_account_has_no_staff_capability():
    patient = User(username="pt", role="", account_type=AccountType.PATIENT, is_active=True)
    assert not any(can(patient, c) for c in Capability)


def test_only_a_clinical_lead_changes_local_policy():
    editors = {role for role in Role if Capability.POLICY_EDIT in ROLE_CAPABILITIES[role]}
    assert editors == {Role.CLINICAL_LEAD}


def test_content_editors_cannot_publish_and_never_open_a_record():
    editor = User(username="e", role=Role.CONTENT_EDITOR, account_type=AccountType.STAFF)
    assert can(editor, Capability.CONTENT_EDIT)
    assert not can(editor, Capability.CONTENT_REVIEW)
    assert not any(can(editor, c) for c in (C.PATIENT_SEARCH, C.PATIENT_VIEW, C.RECORD_VIEW))
