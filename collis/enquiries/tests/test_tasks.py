"""The real task worker (django-tasks-db's `db_worker`) sends enquiry emails: a mail server
that is down leaves the email queued for another try after the back-off; once the server is
up, the worker's next run sends it."""

import socket
import socketserver
import threading
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from collis.enquiries.models import DeliveryState, Enquiry
from collis.enquiries.tests.factories import an_enquiry

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: greet, accept one message, keep it."""

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self):
        self.reply("220 collis-test ESMTP")
        while line := self.rfile.readline().decode():
            verb = line.strip().split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 collis-test")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (data := self.rfile.readline().decode()) not in (".\r\n", ""):
                    lines.append(data)
                self.server.messages.append("".join(lines))
                self.reply("250 OK: queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Not implemented")


@contextmanager
def smtp_server(port: int):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", port), _SmtpHandler)
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_the_worker_retries_an_email_until_the_mail_server_takes_it(sites, settings):
    settings.TASKS = DB_TASKS
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    port = free_port()
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.COLLIS_ENQUIRY_EMAIL_RETRY_SECONDS = [0, 0, 0]

    enquiry = an_enquiry(email="ada@example.com")  # committed: the worker hears of it now
    email = enquiry.emails.get()
    assert email.state == DeliveryState.QUEUED
    assert DBTaskResult.objects.ready().count() == 1

    # The mail server is down: one run of the worker fails, and queues the next try.
    call_command("db_worker", batch=True, max_tasks=1, interval=0, startup_delay=False,
                 verbosity=0)
    email.refresh_from_db()
    assert email.state == DeliveryState.RETRYING and email.attempts == 1
    assert email.last_error and email.next_attempt_at is not None
    assert DBTaskResult.objects.failed().count() == 1  # the failed try, with its error
    assert DBTaskResult.objects.ready().count() == 1  # the next try
    assert Enquiry.objects.filter(pk=enquiry.pk).exists()

    # The server comes up: the worker's next run sends it.
    with smtp_server(port) as server:
        call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)
    email.refresh_from_db()
    assert email.state == DeliveryState.SENT and email.attempts == 2
    assert email.sent_at is not None
    assert len(server.messages) == 1
    assert enquiry.reference in server.messages[0]
    assert DBTaskResult.objects.ready().count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_next_try_waits_for_its_back_off(sites, settings):
    """After a failure the next try is queued to run after the first delay (local policy),
    not at once: the worker leaves it until then."""
    settings.TASKS = DB_TASKS
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = (
        "127.0.0.1", free_port(), 5)
    settings.COLLIS_ENQUIRY_EMAIL_RETRY_SECONDS = [300, 900]

    email = an_enquiry().emails.get()
    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)
    email.refresh_from_db()
    assert email.state == DeliveryState.RETRYING and email.attempts == 1
    waiting = DBTaskResult.objects.get(status="READY")
    assert abs((waiting.run_after - email.next_attempt_at).total_seconds()) < 1
    assert 299 <= (waiting.run_after - email.last_attempt_at).total_seconds() <= 301
    assert not DBTaskResult.objects.ready().exists()  # the worker stopped: nothing due
