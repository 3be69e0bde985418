"""Background tasks (django-tasks; `collis manage db_worker` runs them)."""

from django_tasks import task

from collis.letters.services import letter_email_deliver


@task()
def letter_email_send(email_id: int) -> str:
    """Email a sent clinic letter's PDF to the GP practice."""
    return letter_email_deliver(email_id=email_id)
