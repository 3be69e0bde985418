"""The letter pages: write from the appointment, edit, send, download; refusals in words;
another unit's staff see nothing; queries bounded."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from collis.core.audit import Actor
from collis.core.models import AuditEvent, Organisation
from collis.core.roles import Role
from collis.letters import services
from collis.letters.models import ClinicLetter, LetterState
from collis.letters.tests.factories import seen_appointment

pytestmark = pytest.mark.django_db


@pytest.fixture
def neurologist(client_as, sites):
    return client_as(Role.NEUROLOGIST)


def _kw(letter, **more):
    return {"patient_id": letter.patient_id, "pk": letter.pk, **more}


def test_the_neurologist_writes_edits_sends_and_downloads_the_letter(
        neurologist, django_assert_max_num_queries):
    appointment = seen_appointment(neurologist=neurologist.user)
    page = neurologist.get(reverse("scheduling:appointment_detail", kwargs={
        "patient_id": appointment.patient_id, "pk": appointment.pk}))
    assert "Write the clinic letter" in page.content.decode()
    done = neurologist.post(reverse("letters:letter_new", kwargs={
        "patient_id": appointment.patient_id, "appointment_id": appointment.pk}))
    letter = ClinicLetter.objects.get(appointment=appointment)
    assert done.status_code == 302 and done["Location"].endswith(f"/letters/{letter.pk}/")
    with django_assert_max_num_queries(16):
        page = neurologist.get(reverse("letters:letter_detail", kwargs=_kw(letter)))
    assert "Sternocleidomastoid (left): 100 units" in page.content.decode()

    edit = reverse("letters:letter_edit", kwargs=_kw(letter))
    assert neurologist.get(edit).status_code == 200
    first = letter.versions.get()
    data = {"version": 1, **{f: getattr(first, f) for f in services.FIELDS}}
    done = neurologist.post(edit, {**data, "plan": "Recall in 12 weeks; keep the doses."})
    assert done.status_code == 302
    stale = neurologist.post(edit, {**data, "plan": "Another plan."})
    assert stale.status_code == 200
    assert "Someone else changed this letter" in stale.content.decode()

    send = reverse("letters:letter_send", kwargs=_kw(letter))
    refused = neurologist.post(send, {"version": 2, "how": "email", "to": ""})
    assert "Enter the GP practice&#39;s email address" in refused.content.decode()
    done = neurologist.post(send, {"version": 2, "how": "printed"})
    assert done.status_code == 302
    letter.refresh_from_db()
    assert letter.state == LetterState.SENT and letter.sent_version.number == 2

    pdf = neurologist.get(reverse("letters:letter_download", kwargs=_kw(letter)),
                          {"version": 2})
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Recall in 12 weeks; keep the doses." in text
    assert AuditEvent.objects.filter(object_type="clinic_letter", action="download",
                                     patient_id=letter.patient_id).exists()


def test_a_coordinator_cannot_write_a_letter(client_as, sites):
    appointment = seen_appointment()
    page = client_as(Role.MDT_COORDINATOR).post(reverse("letters:letter_new", kwargs={
        "patient_id": appointment.patient_id, "appointment_id": appointment.pk}))
    assert page.status_code == 403
    assert "Your role cannot write or send clinic letters." in page.content.decode()


def test_another_units_staff_cannot_read_the_letter(client_as, sites, neurologist):
    appointment = seen_appointment(neurologist=neurologist.user)
    neurologist.post(reverse("letters:letter_new", kwargs={
        "patient_id": appointment.patient_id, "appointment_id": appointment.pk}))
    letter = ClinicLetter.objects.get()
    other = client_as(Role.NEUROLOGIST)
    other.user.organisation = Organisation.objects.create(code="north", name="North unit")
    other.user.save()
    assert other.get(reverse("letters:letter_detail", kwargs=_kw(letter))).status_code == 404
    assert other.get(reverse("letters:letter_download",
                             kwargs=_kw(letter))).status_code == 404


def test_the_send_page_offers_the_gp_practice_email_from_the_record(neurologist):
    appointment = seen_appointment(neurologist=neurologist.user)
    patient = appointment.patient
    patient.gp_practice_email = "example.surgery@nhs.net"
    patient.save(update_fields=["gp_practice_email"])
    letter = services.letter_draft_create(appointment=appointment,
                                          actor=Actor.command_line(neurologist.user))
    page = neurologist.get(reverse("letters:letter_send", kwargs=_kw(letter))).content.decode()
    assert 'value="example.surgery@nhs.net"' in page
