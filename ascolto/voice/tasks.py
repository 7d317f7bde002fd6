from django_tasks import task

from ascolto.voice import services


@task()
def source_feed_poll_task(source_id: int) -> None:
    """Read one feed; its source was claimed by `source_feeds_poll_due`."""
    services.source_feed_poll(source_id=source_id)
