"""Background tasks (django-tasks): one questionnaire email, checked again when sent."""

from django_tasks import task

from collis.questionnaires.services import questionnaire_email_deliver


@task()
def questionnaire_email_send(patient_id: str, occasion: str, kind: str) -> str:
    return questionnaire_email_deliver(patient_id=patient_id, occasion=occasion, kind=kind)
