"""The public form and its confirmation (for a visitor who is not signed in), the refusals
(clear messages, never a server error), the inbox (scoped, bounded queries, failures
shown) and the enquiry page's actions."""

import re
from html import unescape

import pytest
import textstat
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from collis.core.models import AuditEvent
from collis.core.roles import Role
from collis.enquiries.models import DeliveryState, Enquiry, EnquiryEmail, EnquiryStatus
from collis.enquiries.tests.factories import an_enquiry
from collis.patients.tests.factories import PatientFactory, other_unit_site

pytestmark = pytest.mark.django_db

CREATE = reverse("enquiries:enquiry_create")
SENT = reverse("enquiries:enquiry_sent")
INBOX = reverse("enquiries:enquiry_list")


def main_text(response) -> str:
    html = response.content.decode()
    main = re.search(r"<main[^>]*>(.*)</main>", html, re.S).group(1)
    main = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", main, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())


def form_post(client, **overrides):
    data = {"name": "Ada Quill", "enquirer_type": "patient", "topic": "appointment",
            "question": "Can I come to The Portland Hospital?", "site": "",
            "contact_method": "email", "email": "ada@example.com", "phone": "",
            "contact_time": "", "nhs_number": "", "website": ""}
    data.update(overrides)
    return client.post(CREATE, data, REMOTE_ADDR=overrides.pop("ip", "192.0.2.20"))


def test_a_visitor_who_is_not_signed_in_sends_an_enquiry_and_sees_the_reference(client, sites):
    assert client.get(CREATE).status_code == 200
    portland = next(s for s in sites if s.code == "portland-hospital")
    response = form_post(client, site=str(portland.pk), nhs_number="999 000 0042")
    assert response.status_code == 302 and response.url == SENT
    enquiry = Enquiry.objects.get()
    assert (enquiry.site, enquiry.nhs_number) == (portland, "9990000042")
    page = client.get(SENT)
    assert page.status_code == 200
    assert enquiry.reference in main_text(page)
    assert "within 5 working days" in main_text(page)


def test_the_confirmation_shows_nothing_to_someone_who_sent_nothing(client):
    response = client.get(SENT)
    assert response.status_code == 302 and response.url == CREATE


def test_each_missing_answer_is_named(client, sites):
    response = client.post(CREATE, {"website": ""})
    assert response.status_code == 200
    text = main_text(response)
    for message in ("Enter your name", "Select whether you are a patient",
                    "Select what your question is about", "Enter your question",
                    "Select email or phone"):
        assert message in text
    assert not Enquiry.objects.exists()


@pytest.mark.parametrize("field, value, message", [
    ("nhs_number", "999 000 0044", "Enter a real NHS number"),
    ("nhs_number", "12345", "Enter a real NHS number"),
    ("email", "not-an-address", "Enter an email address in the correct format"),
    ("email", "", "Enter your email address, or choose phone"),
    ("phone", "call me", "Enter a phone number using only numbers"),
    ("site", "999999", "Choose one of our sites"),
    ("question", "x" * 3001, "Your question must be 3,000 characters or fewer"),
])
def test_bad_answers_get_a_message_naming_the_field(client, sites, field, value, message):
    response = form_post(client, **{field: value})
    assert response.status_code == 200
    assert message in main_text(response)
    assert not Enquiry.objects.exists()


def test_a_filled_honeypot_is_refused_with_a_clear_message(client, sites):
    response = form_post(client, website="http://spam.example")
    assert response.status_code == 200
    assert "looked like it came from an automatic program" in main_text(response)
    assert "spam.example" not in response.content.decode()  # not drawn again
    assert not Enquiry.objects.exists()
    # A person whose browser filled it sends the form again as it stands.
    assert form_post(client).status_code == 302


def test_too_many_from_one_address_are_refused_with_a_clear_message(client, sites, settings):
    settings.COLLIS_ENQUIRY_LIMIT_PER_ADDRESS_PER_HOUR = 2
    for n in range(2):
        assert form_post(client, email=f"p{n}@example.com").status_code == 302
    response = form_post(client, email="p3@example.com")
    assert response.status_code == 429
    assert "Please wait an hour and try again" in main_text(response)
    assert Enquiry.objects.count() == 2


def test_too_many_from_one_email_address_are_refused(client, sites, settings):
    settings.COLLIS_ENQUIRY_LIMIT_PER_EMAIL_PER_DAY = 1
    assert form_post(client, ip="192.0.2.30").status_code == 302
    response = form_post(client, ip="192.0.2.31")
    assert response.status_code == 429
    assert "from this email address" in main_text(response)


@pytest.mark.parametrize("path", [CREATE, SENT])
def test_the_public_pages_are_plain_english(client, sites, path, readability):
    """Flesch reading ease of 60 or more ("plain English") and a US grade of 9 or less,
    measured by textstat on what the visitor reads (the form with its labels and hints,
    and the confirmation)."""
    if path == SENT:
        form_post(client)
    text = main_text(client.get(path))
    text = re.sub(r"ENQ-[A-Z0-9-]+", "your number", text)
    assert textstat.flesch_reading_ease(text) >= 60, textstat.flesch_reading_ease(text)
    assert textstat.flesch_kincaid_grade(text) <= 9, textstat.flesch_kincaid_grade(text)


# -- The team ------------------------------------------------------------------------------

def test_the_inbox_lists_the_units_enquiries_with_bounded_queries(
        client_as, sites, django_assert_max_num_queries):
    client = client_as(Role.MDT_COORDINATOR)
    for _ in range(30):
        an_enquiry()
    an_enquiry(site=other_unit_site(), question="Elsewhere")
    with django_assert_max_num_queries(12):
        response = client.get(INBOX)
    assert response.status_code == 200
    assert "30 enquiries" in main_text(response)
    with django_assert_max_num_queries(12):
        assert client.get(INBOX, {"page": 2}).status_code == 200
    assert AuditEvent.objects.filter(object_type="enquiry_list").count() == 2


def test_the_inbox_shows_an_email_that_could_not_be_sent(client_as, sites):
    enquiry = an_enquiry()
    EnquiryEmail.objects.filter(enquiry=enquiry).update(
        state=DeliveryState.FAILED, attempts=6, last_error="ConnectionRefusedError")
    text = main_text(client_as(Role.NURSE_SPECIALIST).get(INBOX))
    assert "1 email to enquirers could not be sent" in text and "Email not sent" in text
    detail = main_text(client_as(Role.NURSE_SPECIALIST).get(
        reverse("enquiries:enquiry_detail", args=[enquiry.pk])))
    assert "Could not be sent after 6 tries: ConnectionRefusedError" in detail
    assert "Try sending again" in detail


def test_roles_without_the_capability_are_refused(client_as, sites):
    enquiry = an_enquiry()
    assert client_as(Role.AUDITOR).get(INBOX).status_code == 403
    physio = client_as(Role.PHYSIOTHERAPIST)
    page = physio.get(reverse("enquiries:enquiry_detail", args=[enquiry.pk]))
    assert page.status_code == 200 and "Send reply" not in main_text(page)
    refused = physio.post(reverse("enquiries:enquiry_act", args=[enquiry.pk, "note"]),
                          {"note-text": "x"})
    assert refused.status_code == 403
    assert "Your role cannot answer enquiries from the public." in main_text(refused)


def test_another_units_enquiry_is_not_found(client_as, sites):
    enquiry = an_enquiry(site=other_unit_site())
    client = client_as(Role.MDT_COORDINATOR)
    assert client.get(reverse("enquiries:enquiry_detail", args=[enquiry.pk])).status_code == 404


def test_the_enquiry_page_is_audited_and_offers_the_matching_patient(
        client_as, sites, django_assert_max_num_queries):
    patient = PatientFactory()
    enquiry = an_enquiry(nhs_number=patient.nhs_number)
    client = client_as(Role.MDT_COORDINATOR)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("enquiries:enquiry_detail", args=[enquiry.pk]))
    text = main_text(response)
    assert "Is this one of your patients?" in text and patient.family_name.upper() in text
    assert AuditEvent.objects.filter(object_type="enquiry", action="view").count() == 1
    shown = AuditEvent.objects.get(action="search")
    assert shown.details["patients"] == [patient.nhs_number]


def test_a_coordinator_answers_through_the_page(client_as, sites,
                                                django_capture_on_commit_callbacks):
    patient = PatientFactory()
    enquiry = an_enquiry(nhs_number=patient.nhs_number)
    client = client_as(Role.MDT_COORDINATOR)

    def act(action, **data):
        return client.post(reverse("enquiries:enquiry_act", args=[enquiry.pk, action]), data)

    assert act("assign", **{"assign-assigned_to": client.user.pk}).status_code == 302
    assert act("patient", **{"patient-patient_id": str(patient.pk)}).status_code == 302
    assert act("note", **{"note-text": "Phoned, no answer"}).status_code == 302
    assert act("booking-request").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert act("reply", **{"reply-body": "We will book you in."}).status_code == 302
    refused = act("reply", **{"reply-body": ""})
    assert refused.status_code == 200 and "Enter your reply" in main_text(refused)
    unknown = act("status", **{"status-status": "lost"})
    assert unknown.status_code == 200 and "Select a valid choice" in main_text(unknown)
    enquiry.refresh_from_db()
    assert (enquiry.status, enquiry.assigned_to, enquiry.patient) == (
        EnquiryStatus.ANSWERED, client.user, patient)
    assert enquiry.is_booking_request
    page = main_text(client.get(reverse("enquiries:enquiry_detail", args=[enquiry.pk])))
    assert "Reply written: We will book you in." in page and "Sent" in page
    assert patient.family_name.upper() in page
    booking = main_text(client.get(reverse("enquiries:booking_request_list")))
    assert enquiry.reference in booking


def test_an_unknown_action_is_not_found(client_as, sites):
    enquiry = an_enquiry()
    response = client_as(Role.MDT_COORDINATOR).post(
        reverse("enquiries:enquiry_act", args=[enquiry.pk, "delete"]))
    assert response.status_code == 404


def test_the_public_form_needs_no_sign_in_but_the_inbox_does(sites):
    client = Client()
    assert client.get(CREATE).status_code == 200
    assert client.get(INBOX).status_code == 302


def test_the_public_pages_are_never_kept_by_a_shared_cache(client, sites):
    assert "no-store" in client.get(CREATE)["Cache-Control"]
    form_post(client)
    assert "no-store" in client.get(SENT)["Cache-Control"]


FIELDS = ("name", "enquirer_type", "topic", "question", "site", "contact_method", "email",
          "phone", "contact_time", "nhs_number", "website")


@hypothesis_settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(FIELDS), value=st.text(max_size=300))
def test_no_answer_typed_into_the_form_causes_a_server_error(client, sites, field, value):
    response = form_post(client, **{field: value})
    assert response.status_code in (200, 302, 429), (field, value)


def test_an_unknown_nhs_number_falls_back_to_the_name(client_as, sites):
    patient = PatientFactory(given_name="Ada", family_name="Quillfeather")
    enquiry = an_enquiry(name="Ada Quillfeather", nhs_number="9990000018")
    text = main_text(client_as(Role.NURSE_SPECIALIST).get(
        reverse("enquiries:enquiry_detail", args=[enquiry.pk])))
    assert "match the name the enquirer gave" in text and "QUILLFEATHER, Ada" in text
    assert AuditEvent.objects.get(action="search").details["patients"] == [
        patient.nhs_number]


def test_a_reader_who_cannot_link_is_offered_no_patients_and_none_is_audited(
        client_as, sites):
    patient = PatientFactory()
    enquiry = an_enquiry(nhs_number=patient.nhs_number)
    text = main_text(client_as(Role.PHYSIOTHERAPIST).get(
        reverse("enquiries:enquiry_detail", args=[enquiry.pk])))
    assert "Is this one of your patients?" not in text
    assert not AuditEvent.objects.filter(action="search").exists()
