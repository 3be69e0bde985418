"""Given/when/then: a coordinator books a patient who agreed to email into a toxin clinic;
the real task worker (django-tasks-db's `db_worker`) sends the confirmation at once and the
reminder when it falls due, and the appointment's page says so. A neurologist writes the
GP letter after an appointment at which the patient was seen, edits it and sends it; the
worker emails it with the PDF."""

import datetime as dt
import time

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from collis.core.audit import Actor
from collis.core.roles import Role
from collis.letters.models import ClinicLetter
from collis.letters.tests.factories import seen_appointment
from collis.reminders.services import contact_preference_record
from collis.scheduling.models import Appointment
from collis.scheduling.presenters import slot_text
from collis.scheduling.tests.factories import clinic
from tests.system.steps import Journey

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Seconds from the start of the journey to the reminder's due time: enough to book first.
DUE_AFTER = 45


def run_the_worker():
    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)


class TestReminders(Journey):
    def test_the_worker_sends_the_confirmation_and_then_the_reminder(self):
        self.settings.TASKS = DB_TASKS
        patient = self.given_a_patient("Robin", "Applebarrow", email="robin@example.org")
        self.given_the_patient_agreed_to_email(patient)
        slot = self.given_a_toxin_clinic_tomorrow_whose_reminder_falls_due_soon()
        self.given_i_am_signed_in_as(Role.MDT_COORDINATOR)

        self.when_i_open_the_record(patient)
        self.when_i_follow_the_record_section("Appointments")
        self.when_i_follow("Book an appointment")
        self.when_i_select("Type of appointment", option="Botulinum toxin clinic")
        self.when_i_select("Site", option="The Portland Hospital")
        self.when_i_press("Find the next free slots")
        self.when_i_follow(slot_text(slot), first=True)
        self.when_i_press("Book the appointment")
        self.then_i_see_the_success_banner("Booked:")
        self.then_the_table_shows("Confirmation by email", "Waiting to be sent",
                                  name="Confirmations, reminders and cancellations")
        self.then_the_table_shows("Reminder by email", "Waiting to be sent",
                                  name="Confirmations, reminders and cancellations")
        assert mail.outbox == []

        run_the_worker()
        assert len(mail.outbox) == 1
        assert mail.outbox[0].subject.startswith("Your appointment on")
        self.page.reload()
        self.then_the_table_shows("Confirmation by email", "Sent to robin@example.org",
                                  name="Confirmations, reminders and cancellations")
        self.then_the_table_shows("Reminder by email", "Waiting to be sent",
                                  name="Confirmations, reminders and cancellations")
        self.then_the_table_shows("Confirmation by text message",
                                  "the patient has not agreed to text messages",
                                  name="Confirmations, reminders and cancellations")

        self.when_the_reminder_falls_due()
        run_the_worker()
        reminder = mail.outbox[-1]
        assert len(mail.outbox) == 2 and reminder.subject.startswith("Reminder:")
        assert reminder.attachments[0][0] == "appointment.ics"
        self.page.reload()
        self.then_the_table_shows("Reminder by email", "Sent to robin@example.org",
                                  name="Confirmations, reminders and cancellations")
        self.then_the_page_is_accessible("reminders-appointment-messages")
        assert Appointment.objects.get(patient=patient).messages.filter(
            kind="reminder", channel="email", state="sent").count() == 1

    def given_the_patient_agreed_to_email(self, patient):
        contact_preference_record(patient=patient, email_ok=True, sms_ok=False,
                                  actor=Actor.command_line(self.given_a_user(
                                      Role.MDT_COORDINATOR)))

    def given_a_toxin_clinic_tomorrow_whose_reminder_falls_due_soon(self):
        slot = clinic().slots.order_by("starts_at").first()
        self.due = timezone.now() + dt.timedelta(seconds=DUE_AFTER)
        self.settings.COLLIS_REMINDER_HOURS_BEFORE = [
            (slot.starts_at - self.due).total_seconds() / 3600]
        return slot

    def when_the_reminder_falls_due(self):
        time.sleep(max(0.0, (self.due - timezone.now()).total_seconds()) + 1)


class TestClinicLetter(Journey):
    def test_the_neurologist_writes_edits_and_sends_the_gp_letter(self):
        self.settings.TASKS = DB_TASKS
        neurologist = self.given_a_user(Role.NEUROLOGIST, first_name="Nora", last_name="Neuro")
        appointment = seen_appointment(neurologist=neurologist)
        self.given_i_am_signed_in_as(neurologist)

        self.when_i_visit(f"/patients/{appointment.patient_id}/appointments/{appointment.pk}/")
        self.then_i_see_the_heading("Botulinum toxin clinic")
        self.when_i_press("Write the clinic letter")
        self.then_i_see_the_success_banner("The draft letter is written from the record")
        self.then_i_see_the_heading("Clinic letter")
        self.then_i_see("Sternocleidomastoid (left): 100 units")
        self.then_the_page_is_accessible("letters-draft")

        self.when_i_follow("Edit the letter")
        self.then_i_see_the_heading("Edit the clinic letter")
        self.when_i_fill_in({"Plan": ""})
        self.when_i_press("Edit the clinic letter")
        self.then_the_error_summary_says("Enter plan")
        self.then_the_page_is_accessible("letters-edit-error")
        self.when_i_fill_in({"Plan": "Recall in 12 weeks with the same doses."})
        self.when_i_press("Edit the clinic letter")
        self.then_i_see_the_success_banner("Saved as a new version of the letter.")
        self.then_the_table_shows("1", "Amended", name="Every version of the letter")

        self.when_i_follow("Send the letter")
        self.when_i_choose("Emailed to the GP practice")
        self.when_i_fill_in({"GP practice email address (if emailing)": "gp@nhs.net"})
        self.then_the_page_is_accessible("letters-send")
        self.when_i_press("Send the clinic letter")
        self.then_i_see_the_success_banner("The letter is sent.")
        self.then_i_see("waiting to be emailed")

        run_the_worker()
        (email,) = mail.outbox
        assert email.to == ["gp@nhs.net"]
        assert email.attachments[0][2] == "application/pdf"
        self.page.reload()
        self.then_i_see("emailed")
        self.then_the_page_is_accessible("letters-sent")
        pages = self.when_i_download_the_pdf("Download the letter (PDF)")
        assert "Recall in 12 weeks with the same doses." in pages[0]
        assert "Nora Neuro" in pages[0]
        assert ClinicLetter.objects.get().sent_version.number == 2

        # On a phone (320 px wide) the letter and its versions still read.
        self.page.set_viewport_size({"width": 320, "height": 800})
        self.page.reload()
        self.then_the_page_is_accessible("letters-sent-phone")
        assert self.page.evaluate("document.documentElement.scrollWidth") <= 320
