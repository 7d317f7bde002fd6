from django_tasks import task

from ascolto.api.services.imports import import_run_process
from ascolto.api.services.webhooks import webhook_delivery_send


@task()
def webhook_delivery_send_task(delivery_id: int) -> None:
    """Deliver one webhook event; safe to run twice (the row is claimed with a lease)."""
    webhook_delivery_send(delivery_id=delivery_id)


@task()
def import_run_task(run_id: int) -> None:
    """Import one spreadsheet (or carry on where a stopped worker left it); safe to run
    twice (the run is claimed with a lease)."""
    import_run_process(run_id=run_id)
