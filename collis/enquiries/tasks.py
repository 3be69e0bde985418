"""Background tasks (django-tasks; the database backend and `collis manage db_worker` in
production)."""

from django_tasks import task

from collis.enquiries.services import enquiry_email_deliver


@task()
def enquiry_email_send(email_id: int) -> str:
    """Send one email to an enquirer; retried with back-off by the service on failure."""
    return enquiry_email_deliver(email_id=email_id)
