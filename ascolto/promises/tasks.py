from django_tasks import task

from ascolto.promises.models import Promise
from ascolto.promises.services import promise_recheck


@task()
def promise_recheck_task(promise_id: int) -> None:
    """Check a new or changed promise against its touchpoint's interactions (safe to rerun)."""
    promise = Promise.objects.filter(pk=promise_id).first()
    if promise is not None:
        promise_recheck(promise=promise)
