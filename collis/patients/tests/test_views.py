import pytest
from django.urls import reverse

from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.patients.models import Patient
from collis.patients.tests.factories import PatientFactory
from collis.patients.tests.nhs_numbers import (
    ACCEPTED_SPELLINGS,
    NUMBER,
    REFUSED_SPELLINGS,
    racing_registration,
)

NEW_PATIENT = {
    "nhs_number": "943 476 5919", "given_name": "Robin", "family_name": "Quillon",
    "date_of_birth-day": "2", "date_of_birth-month": "1", "date_of_birth-year": "1970",
    "sex": "female", "address_line_1": "2 Sample Street", "town": "London",
    "postcode": "se12pr", "phone": "", "email": "", "gp_practice": "",
    "referring_consultant": "",
}


def form_data(patient, **changes):
    data = {
        "nhs_number": patient.nhs_number, "given_name": patient.given_name,
        "family_name": patient.family_name,
        "date_of_birth-day": patient.date_of_birth.day,
        "date_of_birth-month": patient.date_of_birth.month,
        "date_of_birth-year": patient.date_of_birth.year,
        "sex": patient.sex, "address_line_1": patient.address_line_1,
        "address_line_2": patient.address_line_2, "town": patient.town,
        "postcode": patient.postcode, "phone": patient.phone, "email": patient.email,
        "gp_practice": patient.gp_practice, "referring_consultant": patient.referring_consultant,
        "home_site": patient.home_site_id, "version": patient.version,
    }
    return data | changes


@pytest.mark.django_db
def test_search_page_lists_matching_patients(client_as, sites):
    PatientFactory(given_name="Kit", family_name="Kettleby")
    body = client_as(Role.NEUROLOGIST).get("/patients/", {"q": "kettle"}).content.decode()
    assert "KETTLEBY, Kit" in body and "1 patient found" in body


@pytest.mark.django_db
def test_search_with_invalid_nhs_number_explains_the_problem(client_as, sites):
    body = client_as(Role.NEUROLOGIST).get("/patients/", {"q": "943 476 5918"}).content.decode()
    assert "There is a problem" in body and "check digit" in body


@pytest.mark.django_db
def test_empty_search_asks_for_something_to_search_for(client_as):
    body = client_as(Role.NEUROLOGIST).get("/patients/", {"q": ""}).content.decode()
    assert "Enter an NHS number, a name or a date of birth" in body


@pytest.mark.django_db
def test_patient_page_shows_the_record_and_audits_the_view(client_as, sites):
    patient = PatientFactory(given_name="Wren", family_name="Willowherb")
    client = client_as(Role.PHYSIOTHERAPIST)
    body = client.get(reverse("patients:patient_detail", args=[patient.pk])).content.decode()
    assert "WILLOWHERB, Wren" in body
    assert f"{patient.nhs_number[:3]} {patient.nhs_number[3:6]} {patient.nhs_number[6:]}" in body
    event = AuditEvent.objects.get(action=AuditAction.VIEW, patient_id=patient.pk)
    assert event.actor == client.user and event.ip_address == "127.0.0.1"
    assert "Change Wren" not in body  # physiotherapists do not edit demographics


@pytest.mark.django_db
def test_register_patient_with_invalid_nhs_number_shows_error_and_saves_nothing(client_as,
                                                                                sites):
    client = client_as(Role.MDT_COORDINATOR)
    data = NEW_PATIENT | {"nhs_number": "943 476 5918", "home_site": sites[0].pk}
    response = client.post(reverse("patients:patient_create"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and 'href="#nhs_number"' in body
    assert "check digit" in body
    assert 'value="Robin"' in body  # what was typed is kept
    assert Patient.objects.count() == 0


@pytest.mark.django_db
def test_register_patient_names_every_missing_field(client_as, sites):
    body = client_as(Role.NEUROLOGIST).post(reverse("patients:patient_create"), {}).content
    body = body.decode()
    for message in ["Enter the NHS number", "Enter the given name", "Enter date of birth",
                    "Select the patient&#39;s sex", "Enter the postcode",
                    "Choose the patient&#39;s home site"]:
        assert message in body


@pytest.mark.django_db
def test_register_patient_then_open_the_record(client_as, sites):
    client = client_as(Role.NEUROLOGIST)
    response = client.post(reverse("patients:patient_create"),
                           NEW_PATIENT | {"home_site": sites[0].pk})
    patient = Patient.objects.get()
    assert response["Location"] == reverse("patients:patient_detail", args=[patient.pk])
    assert patient.nhs_number == "9434765919" and patient.postcode == "SE1 2PR"


@pytest.mark.django_db
def test_physiotherapist_cannot_register_or_edit_patients(client_as, sites):
    patient = PatientFactory()
    client = client_as(Role.PHYSIOTHERAPIST)
    assert client.get(reverse("patients:patient_create")).status_code == 403
    assert client.post(reverse("patients:patient_create"),
                       NEW_PATIENT | {"home_site": sites[0].pk}).status_code == 403
    assert client.post(reverse("patients:patient_edit", args=[patient.pk]),
                       form_data(patient, family_name="Changed")).status_code == 403
    assert Patient.objects.get(pk=patient.pk).family_name == patient.family_name


@pytest.mark.django_db
def test_administrator_cannot_open_patient_records(client_as, sites):
    patient = PatientFactory()
    client = client_as(Role.ADMINISTRATOR)
    assert client.get(reverse("patients:patient_detail", args=[patient.pk])).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW, patient_id=patient.pk).exists()


@pytest.mark.django_db
def test_edit_saves_changes(client_as, sites):
    patient = PatientFactory()
    client = client_as(Role.NURSE_SPECIALIST)
    response = client.post(reverse("patients:patient_edit", args=[patient.pk]),
                           form_data(patient, phone="01632 960123"))
    assert response.status_code == 302
    assert Patient.objects.get(pk=patient.pk).phone == "01632 960123"


@pytest.mark.django_db
def test_concurrent_edits_do_not_silently_lose_the_first_save(client_as, sites):
    patient = PatientFactory()
    first, second = client_as(Role.NEUROLOGIST), client_as(Role.MDT_COORDINATOR)
    url = reverse("patients:patient_edit", args=[patient.pk])
    # Both open the form at version 1; the first saves a phone number.
    assert first.post(url, form_data(patient, phone="01632 960111")).status_code == 302
    # The second, still on version 1, saves an email address: refused, not applied.
    response = second.post(url, form_data(patient, email="second@example.com"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved changes to this patient" in body
    assert "01632 960111" in body  # the current record is shown beside their entry
    stored = Patient.objects.get(pk=patient.pk)
    assert stored.phone == "01632 960111" and stored.email == ""
    # Saving again deliberately applies the second user's entry over the new version.
    again = second.post(url, form_data(patient, email="second@example.com", version=2))
    assert again.status_code == 302
    assert Patient.objects.get(pk=patient.pk).email == "second@example.com"


@pytest.mark.django_db
def test_auditor_sees_who_opened_a_patient(client_as, sites):
    patient = PatientFactory()
    clinician = client_as(Role.NEUROLOGIST)
    clinician.get(reverse("patients:patient_detail", args=[patient.pk]))
    auditor = client_as(Role.AUDITOR)
    body = auditor.get(reverse("patients:patient_access_history", args=[patient.pk])).content
    body = body.decode()
    assert clinician.user.username in body and "Viewed the record" in body
    assert AuditEvent.objects.filter(object_type="access_history", patient_id=patient.pk,
                                     actor=auditor.user).exists()


@pytest.mark.django_db
def test_clinician_cannot_read_access_history(client_as, sites):
    patient = PatientFactory()
    url = reverse("patients:patient_access_history", args=[patient.pk])
    assert client_as(Role.NEUROLOGIST).get(url).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, 60])
def test_patient_list_queries_do_not_grow_with_the_data(client_as, sites,
                                                        django_assert_max_num_queries, count):
    PatientFactory.create_batch(count, family_name="Umbermoor")
    client = client_as(Role.NEUROLOGIST)
    client.get("/")  # session set up outside the measured request
    # Session, user, the name index, the page of patients, the audit entry (and, on SQLite,
    # its patients in a second statement).
    with django_assert_max_num_queries(6):
        response = client.get("/patients/", {"q": "umber"})
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 60])
def test_patient_page_queries_do_not_grow_with_the_data(client_as, sites,
                                                        django_assert_max_num_queries, count):
    patients = PatientFactory.create_batch(count)
    client = client_as(Role.NEUROLOGIST)
    client.get("/")
    # Session, user, the patient, the audit entry; then the record at a glance (diagnosis,
    # toxin cycles, medicines, next appointment, pathway, complications, missed
    # appointments): a fixed number, whatever the record holds (test_glance.py).
    with django_assert_max_num_queries(11):
        response = client.get(reverse("patients:patient_detail", args=[patients[-1].pk]))
    assert response.status_code == 200


@pytest.mark.django_db
def test_another_units_patient_is_not_found_on_any_registry_page(client_as, sites):
    from collis.patients.tests.factories import other_unit_patient

    theirs = other_unit_patient(family_name="Elsewhere")
    clinician, auditor = client_as(Role.NEUROLOGIST), client_as(Role.AUDITOR)
    for client, name in ((clinician, "patients:patient_detail"),
                         (clinician, "patients:patient_edit"),
                         (clinician, "patients:patient_timeline"),
                         (auditor, "patients:patient_access_history")):
        response = client.get(reverse(name, args=[theirs.pk]))
        assert response.status_code == 404, name
    detail = clinician.get(reverse("patients:patient_detail", args=[theirs.pk])).content
    assert b"Patient not found" in detail and b"ELSEWHERE" not in detail
    response = clinician.post(reverse("patients:patient_edit", args=[theirs.pk]),
                              form_data(theirs, family_name="Changed"))
    assert response.status_code == 404
    assert Patient.objects.get(pk=theirs.pk).family_name == "Elsewhere"
    body = clinician.get("/patients/", {"q": "elsewhere"}).content.decode()
    assert "ELSEWHERE" not in body
    assert not AuditEvent.objects.filter(patient_id=theirs.pk).exists()


@pytest.mark.django_db
def test_opening_the_edit_form_audits_the_patient_shown_once(client_as, sites):
    patient = PatientFactory()
    response = client_as(Role.NEUROLOGIST).get(reverse("patients:patient_edit",
                                                       args=[patient.pk]))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="patient",
                                     patient_id=patient.pk).count() == 1


@pytest.mark.django_db
def test_a_service_error_about_the_whole_form_is_shown_on_the_register_page(
        client_as, sites, monkeypatch):
    from django.core.exceptions import ValidationError

    from collis.patients import services

    def refuse(**kwargs):
        raise ValidationError("The registry is closed for maintenance.")

    monkeypatch.setattr(services, "patient_create", refuse)
    response = client_as(Role.NEUROLOGIST).post(reverse("patients:patient_create"),
                                                NEW_PATIENT | {"home_site": sites[0].pk})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and "The registry is closed for maintenance." in body
    assert 'value="Robin"' in body


@pytest.mark.django_db
def test_a_service_error_about_the_whole_form_is_shown_on_the_edit_page(
        client_as, sites, monkeypatch):
    from django.core.exceptions import ValidationError

    from collis.patients import services

    def refuse(**kwargs):
        raise ValidationError({"__all__": ["This record is locked for a merge."]})

    monkeypatch.setattr(services, "patient_update", refuse)
    patient = PatientFactory()
    response = client_as(Role.NEUROLOGIST).post(
        reverse("patients:patient_edit", args=[patient.pk]),
        form_data(patient, phone="01632 960123"))
    assert response.status_code == 200
    assert "This record is locked for a merge." in response.content.decode()


@pytest.mark.django_db
def test_staff_cannot_register_a_patient_at_another_units_site(client_as, sites):
    from collis.patients.tests.factories import other_unit_site

    site = other_unit_site()
    response = client_as(Role.NEUROLOGIST).post(reverse("patients:patient_create"),
                                                NEW_PATIENT | {"home_site": site.pk})
    assert response.status_code == 200
    assert "Choose one of your unit&#39;s sites." in response.content.decode()
    assert not Patient.objects.exists()


# --- The NHS number however typed, a registration race, searches that cannot match -------

@pytest.mark.django_db
@pytest.mark.parametrize("typed", ACCEPTED_SPELLINGS.values(), ids=ACCEPTED_SPELLINGS.keys())
def test_the_register_page_accepts_compatibility_digits_as_the_number(client_as, sites, typed):
    response = client_as(Role.MDT_COORDINATOR).post(
        reverse("patients:patient_create"),
        NEW_PATIENT | {"nhs_number": typed, "home_site": sites[0].pk})
    assert response.status_code == 302
    assert Patient.objects.get().nhs_number == NUMBER


@pytest.mark.django_db
@pytest.mark.parametrize("typed", [*REFUSED_SPELLINGS.values(), "0000000000"],
                         ids=[*REFUSED_SPELLINGS, "all zeros"])
def test_the_register_page_refuses_other_scripts_and_all_zeros_on_the_field(client_as, sites,
                                                                          typed):
    response = client_as(Role.MDT_COORDINATOR).post(
        reverse("patients:patient_create"),
        NEW_PATIENT | {"nhs_number": typed, "home_site": sites[0].pk})
    body = response.content.decode()
    assert response.status_code == 200 and 'href="#nhs_number"' in body
    assert ("NHS number must be written with the digits 0 to 9" in body
            or "NHS number cannot be all zeros" in body)
    assert not Patient.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("typed", [*ACCEPTED_SPELLINGS.values(), *REFUSED_SPELLINGS.values()],
                         ids=[*ACCEPTED_SPELLINGS, *REFUSED_SPELLINGS])
def test_no_spelling_of_a_registered_number_registers_a_duplicate_on_the_page(client_as,
                                                                             sites, typed):
    PatientFactory(nhs_number=NUMBER)
    response = client_as(Role.MDT_COORDINATOR).post(
        reverse("patients:patient_create"),
        NEW_PATIENT | {"nhs_number": typed, "home_site": sites[0].pk})
    assert response.status_code == 200 and 'href="#nhs_number"' in response.content.decode()
    assert Patient.objects.count() == 1


@pytest.mark.django_db
def test_a_registration_that_loses_a_race_shows_a_message_on_the_nhs_number(client_as, sites,
                                                                            monkeypatch):
    from collis.patients import forms

    # The form's check and the service's both ran before the other registration was saved.
    monkeypatch.setattr(forms, "nhs_number_taken", lambda number, patient=None: False)
    racing_registration(monkeypatch)
    response = client_as(Role.MDT_COORDINATOR).post(
        reverse("patients:patient_create"), NEW_PATIENT | {"home_site": sites[0].pk})
    body = response.content.decode()
    assert response.status_code == 200 and 'href="#nhs_number"' in body
    assert "A patient with this NHS number is already registered" in body
    assert Patient.objects.filter(nhs_number=NUMBER).count() == 1


@pytest.mark.django_db
def test_the_register_page_offers_only_the_units_sites(client_as, sites):
    from collis.patients.tests.factories import other_unit_site

    elsewhere = other_unit_site()
    body = client_as(Role.MDT_COORDINATOR).get(
        reverse("patients:patient_create")).content.decode()
    assert sites[0].name in body and elsewhere.name not in body


@pytest.mark.django_db
@pytest.mark.parametrize("q", ["%", "🙂", "%%", "_", "***"])
def test_a_search_that_cannot_match_says_why_instead_of_listing_nobody(client_as, sites, q):
    PatientFactory()
    body = client_as(Role.NEUROLOGIST).get("/patients/", {"q": q}).content.decode()
    assert "There is a problem" in body and 'href="#q"' in body
    assert "Enter a name (letters), a 10-digit NHS number or a date of birth" in body
    assert "found" not in body
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()


@pytest.mark.django_db
def test_a_search_for_a_lone_digit_asks_for_ten(client_as, sites):
    body = client_as(Role.NEUROLOGIST).get("/patients/", {"q": "0"}).content.decode()
    assert "There is a problem" in body and "NHS number must be 10 digits" in body


@pytest.mark.django_db
def test_a_search_with_a_null_character_is_refused_with_a_message(client_as, sites):
    response = client_as(Role.NEUROLOGIST).get("/patients/", {"q": "Smi\x00th"})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
