from django_tasks import task

from ascolto.api.services.webhooks import webhook_delivery_send


@task()
def webhook_delivery_send_task(delivery_id: int) -> None:
    """Deliver one webhook event; safe to run twice (the row is claimed with a lease)."""
    webhook_delivery_send(delivery_id=delivery_id)
