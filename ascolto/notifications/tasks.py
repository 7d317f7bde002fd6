from django_tasks import task

from ascolto.notifications.services import notification_email_send


@task(queue_name="email")
def notification_email_send_task(notification_id: int) -> None:
    """Email one notification; safe to run twice (the row is claimed with a lease)."""
    notification_email_send(notification_id=notification_id)
