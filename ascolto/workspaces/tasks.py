from django_tasks import task

from ascolto.workspaces.services import member_invitation_send, password_reset_email_send


@task(queue_name="email")
def member_invitation_send_task(invitation_id: int) -> None:
    """Email one member invitation; safe to run twice (the row is claimed with a lease)."""
    member_invitation_send(invitation_id=invitation_id)


@task(queue_name="email")
def password_reset_email_send_task(reset_id: int) -> None:
    """Email one password reset; safe to run twice (the row is claimed with a lease)."""
    password_reset_email_send(reset_id=reset_id)
