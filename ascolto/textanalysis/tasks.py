from django_tasks import task

from ascolto.textanalysis import services


@task()
def text_analysis_store_task(workspace_id: int, source_kind: str, source_id: int) -> None:
    """Analyse one saved text; does nothing when that text was analysed already."""
    services.text_analysis_store(
        workspace_id=workspace_id, source_kind=source_kind, source_id=source_id
    )


@task()
def text_analyses_store_task(workspace_id: int, source_kind: str, source_ids: list[int]) -> None:
    """Analyse several saved texts (a survey response's comments); skips those analysed already."""
    services.text_analyses_store(
        workspace_id=workspace_id, source_kind=source_kind, source_ids=source_ids
    )


@task()
def text_model_train_task(workspace_id: int) -> None:
    """Train the workspace's model on its corrections; once per number of corrections."""
    services.text_model_train(workspace_id=workspace_id)
