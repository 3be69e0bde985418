"""Given/when/then: a member of the public, not signed in, reads about selective
denervation, follows the sites page to The Portland Hospital, sends an enquiry and gets a
reference; an MDT coordinator finds it in the inbox, links the patient's record, takes it
on and answers it by email; the reply is queued, sent and audited. Each page is checked
with axe and photographed on a desktop and on a 390-pixel-wide phone."""

import re

from django.core import mail
from playwright.sync_api import expect

from collis.core.models import AuditEvent
from collis.core.roles import Role
from collis.enquiries.models import DeliveryState, Enquiry, EnquiryStatus
from collis.public.tests.factories import pages_loaded
from tests.system.steps import Journey

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


class TestEnquiries(Journey):
    def test_a_member_of_the_public_sends_an_enquiry_and_a_coordinator_answers_it(self):
        patient = self.given_a_patient("Ada", "Quillfeather", nhs_number="9990000026")
        pages_loaded()

        # She has read about selective denervation and found The Portland Hospital.
        self.when_i_visit("/information/selective-denervation/")
        self.when_i_follow("Our sites", first=True)
        self.when_i_follow("The Portland Hospital")
        self.then_i_see_the_heading("The Portland Hospital", exact=True)
        self.when_i_follow("Contact us", first=True)
        self.then_i_see_the_heading("Contact the dystonia unit")
        self.then_the_page_is_accessible_on_desktop_and_phone("enquiry-form")
        self.when_i_press("Send enquiry")
        self.then_the_error_summary_says("Enter your name", "Enter your question",
                                         "Select email or phone")
        self.then_the_page_is_accessible("enquiry-form-errors")
        self.when_i_follow_the_error_to("Your name", link="Enter your name")
        self.when_i_send_my_enquiry()
        self.then_i_see_the_heading("Enquiry sent")
        self.then_the_page_is_accessible_on_desktop_and_phone("enquiry-sent")
        self.then_the_reference_is_the_enquirys()
        self.then_i_am_sent_an_acknowledgement()

        self.coordinator = self.given_i_am_signed_in_as(
            Role.MDT_COORDINATOR, first_name="Cora", last_name="Coordinator")
        self.when_i_follow("Enquiries", exact=True)
        self.then_the_table_shows(self.enquiry.reference, "Ada Quillfeather", "New",
                                  "The Portland Hospital")
        self.then_the_page_is_accessible_on_desktop_and_phone("enquiry-inbox")
        self.when_i_follow(self.enquiry.reference)
        self.then_the_page_heading_says(self.enquiry.reference)
        self.then_i_see("Is this one of your patients?")
        self.when_i_press("Link to Ada Quillfeather")
        self.then_i_see_the_success_banner("linked to the patient's record")
        self.then_i_see_the_link("QUILLFEATHER, Ada")
        self.when_i_select("Assign to", option="Cora Coordinator (MDT coordinator)")
        self.when_i_press("Assign", exact=True)
        self.then_i_see_the_success_banner("The enquiry is assigned.")
        self.when_i_press("Mark as a booking request")
        self.then_i_see_the_success_banner("booking request")
        self.when_i_press("Send reply")
        self.then_the_error_summary_says("Enter your reply")
        self.then_the_page_is_accessible("enquiry-reply-error")
        self.when_i_fill_in({"Your reply": "Yes. We will phone you this week to book an "
                                           "appointment at The Portland Hospital."})
        self.when_i_press("Send reply")
        self.then_i_see_the_success_banner("Your reply is saved and will be emailed")
        self.then_the_table_shows("Reply to ada@example.com", "Sent",
                                  name="Emails to the enquirer")
        self.then_the_table_shows("Cora Coordinator", "Status changed to answered",
                                  name="History of the enquiry, oldest first")
        self.then_the_page_is_accessible_on_desktop_and_phone("enquiry-detail")
        self.then_the_reply_was_emailed_and_audited(patient)

        self.when_i_follow("Enquiries", exact=True, first=True)
        self.when_i_follow("Booking requests")
        self.then_the_table_shows(self.enquiry.reference, "Answered")
        self.then_the_page_is_accessible("enquiry-booking-requests")

    # When

    def when_i_send_my_enquiry(self):
        self.when_i_fill_in({"Your name": "Ada Quillfeather"})
        self.when_i_choose("I am a patient")
        self.when_i_fill_in({"NHS number (optional)": "999 000 0026"})
        self.when_i_choose("An appointment")
        self.when_i_fill_in({"Your question": "Can I have an appointment at The Portland "
                                              "Hospital to talk about surgery?"})
        self.when_i_select("Which site would you like to go to? (optional)",
                           option="The Portland Hospital")
        self.when_i_choose("Email", exact=True)
        self.when_i_fill_in({"Email address": "ada@example.com"})
        self.when_i_press("Send enquiry")

    # Then

    def then_the_page_is_accessible_on_desktop_and_phone(self, name: str):
        self.then_the_page_is_accessible(name)
        self.page.set_viewport_size(PHONE)
        self.then_the_page_is_accessible(f"{name}-phone")
        self.page.set_viewport_size(DESKTOP)

    def then_the_reference_is_the_enquirys(self):
        self.enquiry = Enquiry.objects.get()
        expect(self.page.locator("#reference")).to_have_text(self.enquiry.reference)
        assert re.fullmatch(r"ENQ-[A-Z0-9]{4}-[A-Z0-9]{4}", self.enquiry.reference)

    def then_i_am_sent_an_acknowledgement(self):
        assert [m.to for m in mail.outbox] == [["ada@example.com"]]
        assert self.enquiry.reference in mail.outbox[0].subject

    def then_the_reply_was_emailed_and_audited(self, patient):
        self.enquiry.refresh_from_db()
        assert self.enquiry.status == EnquiryStatus.ANSWERED
        assert self.enquiry.patient == patient and self.enquiry.is_booking_request
        reply = self.enquiry.emails.get(kind="reply")
        assert reply.state == DeliveryState.SENT
        assert "We will phone you this week" in mail.outbox[-1].body
        audit = AuditEvent.objects.get(object_type="enquiry_reply")
        assert audit.actor == self.coordinator and audit.patient_id == patient.pk
