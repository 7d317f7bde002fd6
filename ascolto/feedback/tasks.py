from django_tasks import task

from ascolto.feedback.services import survey_invitation_send


@task(queue_name="email")
def survey_invitation_send_task(invitation_id: int) -> None:
    """Send a survey invitation (or its reminder); safe to run twice (claimed with a lease)."""
    survey_invitation_send(invitation_id=invitation_id)
