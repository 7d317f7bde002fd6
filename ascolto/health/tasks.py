from django_tasks import task

from ascolto.health.services import health_digest_send, health_score_refresh


@task()
def health_score_refresh_task(workspace_id: int, customer_id: int) -> None:
    """Recompute one customer's score for today; running twice stores the same row."""
    health_score_refresh(workspace_id=workspace_id, customer_id=customer_id)


@task(queue_name="email")
def health_digest_send_task(digest_id: int) -> None:
    """Email one weekly digest; safe to run twice (claimed with a lease)."""
    health_digest_send(digest_id=digest_id)
