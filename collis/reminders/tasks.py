"""Background tasks (django-tasks; `collis manage db_worker` runs them)."""

from django_tasks import task

from collis.reminders.services import message_deliver


@task()
def appointment_message_send(message_id: int) -> str:
    """Send one message about an appointment, if it is due and the appointment still stands."""
    return message_deliver(message_id=message_id)
