from django_tasks import task

from ascolto.dashboards.reports import monthly_report_send


@task(queue_name="email")
def monthly_report_send_task(report_id: int) -> None:
    """Email one workspace's monthly PDF report; safe to run twice (claimed with a lease)."""
    monthly_report_send(report_id=report_id)
