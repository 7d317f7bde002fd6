from django_tasks import task

from ascolto.cases.services.replies import case_email_send


@task(queue_name="email")
def case_email_send_task(email_id: int) -> None:
    """Email the customer about their case; safe to run twice (the row is claimed with a lease)."""
    case_email_send(email_id=email_id)
