from django_tasks import task

from ascolto.feedback.services import survey_invitation_send
from ascolto.feedback.services.bulk import survey_bulk_send_run


@task(queue_name="email")
def survey_invitation_send_task(invitation_id: int) -> None:
    """Send a survey invitation (or its reminder); safe to run twice (claimed with a lease)."""
    survey_invitation_send(invitation_id=invitation_id)


@task()
def survey_bulk_send_task(bulk_id: int) -> None:
    """Invite the customers of a bulk send; safe to run twice (claimed with a lease)."""
    survey_bulk_send_run(bulk_id=bulk_id)
