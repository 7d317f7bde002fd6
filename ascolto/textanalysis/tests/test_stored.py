"""Stored analyses: every saved text is analysed in the background, once per text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ascolto.core.testing import run_pending_tasks
from ascolto.feedback.models import Question, Response
from ascolto.feedback.services import response_submit, survey_invitation_create
from ascolto.feedback.submissions.filing import submissions_store_all
from ascolto.feedback.tests.factories import SurveyFactory
from ascolto.interactions.services import (
    interaction_record,
    interaction_update,
    staff_signal_record,
)
from ascolto.textanalysis.analyser import analyse
from ascolto.textanalysis.models import TextAnalysis, TextAspect, TextCorrection
from ascolto.textanalysis.services import text_correction_record
from ascolto.textanalysis.tasks import text_analyses_store_task
from ascolto.textanalysis.tests import stored_fixtures as fx

LATE = "Il tecnico è arrivato dopo tre giorni, sono furioso: servizio pessimo"
HAPPY = "Gentilissimi e puntuali, grazie di tutto!"


def _assert_matches_analyser(analysis: TextAnalysis, text: str) -> None:
    expected = analyse(text)
    assert analysis.predicted_sentiment == analysis.sentiment == expected.sentiment_label
    assert analysis.predicted_emotion == analysis.emotion == expected.emotion_label
    names = sorted(a.name for a in expected.aspects)
    assert sorted(analysis.aspect_rows.values_list("name", flat=True)) == names
    assert analysis.predicted_aspect_names == [a.name for a in expected.aspects]
    assert analysis.explanation == list(expected.explanation)


def test_interaction_note_is_analysed_by_the_worker(
    workspace_a, bob, django_capture_on_commit_callbacks
):
    """GIVEN a customer WHEN an agent records an interaction with a note and the worker runs
    THEN the note has a stored analysis equal to the analyser's, with the customer and date."""
    cust = fx.customer(workspace_a)
    touchpoint = workspace_a.touchpoints.get(code="intervento")
    with django_capture_on_commit_callbacks(execute=True):
        interaction = interaction_record(customer=cust, by=bob, touchpoint=touchpoint, text=LATE)
    assert not TextAnalysis.objects.exists()  # nothing happens inside the request
    assert run_pending_tasks() >= 1
    analysis = TextAnalysis.objects.get()
    assert (analysis.workspace, analysis.customer) == (workspace_a, cust)
    assert (analysis.source_kind, analysis.source_id) == ("interaction", interaction.pk)
    assert analysis.occurred_at == interaction.occurred_at
    assert analysis.sentiment == "negative"
    _assert_matches_analyser(analysis, LATE)
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()


def test_survey_comments_are_analysed(workspace_a, alice, django_capture_on_commit_callbacks):
    """GIVEN a survey WHEN a customer answers with a why and an improve comment THEN both
    comments get an analysis (the score does not)."""
    cust = fx.customer(workspace_a)
    survey = SurveyFactory(workspace=workspace_a, by=alice)
    invitation = survey_invitation_create(survey=survey, customer=cust, by=alice)
    data = {}
    for q in survey.questions.all():
        if q.role == Question.Role.MAIN:
            data[f"q{q.pk}"] = "3"
        elif q.role == Question.Role.WHY:
            data[f"q{q.pk}"] = LATE
        elif q.role == Question.Role.IMPROVE:
            data[f"q{q.pk}"] = "Prezzi più chiari in fattura"
    with django_capture_on_commit_callbacks(execute=True):
        response = response_submit(survey=survey, data=data, language="it", invitation=invitation)
    run_pending_tasks()
    analyses = list(TextAnalysis.objects.order_by("source_id"))
    texts = set(response.answers.exclude(text="").values_list("pk", flat=True))
    assert {a.source_id for a in analyses} == texts and len(analyses) == 2
    assert all(a.source_kind == "survey_answer" and a.customer == cust for a in analyses)
    assert all(a.occurred_at == response.submitted_at for a in analyses)
    _assert_matches_analyser(analyses[0], LATE)


def _survey_answers(survey, why: str, improve: str) -> dict[str, str]:
    data = {}
    for q in survey.questions.all():
        if q.role == Question.Role.MAIN:
            data[f"q{q.pk}"] = "9"
        elif q.role == Question.Role.WHY:
            data[f"q{q.pk}"] = why
        elif q.role == Question.Role.IMPROVE:
            data[f"q{q.pk}"] = improve
    return data


def test_a_public_submission_queues_one_task_that_analyses_each_comment_once(
    client, workspace_a, alice
):
    """GIVEN an invitation WHEN the customer submits the public page with two comments and the
    worker stores the submission THEN one task is queued with the response (no commit hook
    needed), the worker stores one analysis per comment equal to the analyser's; a second run of
    the same task stores nothing again."""
    cust = fx.customer(workspace_a)
    survey = SurveyFactory(workspace=workspace_a, by=alice)
    invitation = survey_invitation_create(survey=survey, customer=cust, by=alice)
    data = _survey_answers(survey, LATE, HAPPY)
    answered = client.post(reverse("survey:answer", args=[invitation.token]), data)
    assert answered.status_code == 302
    assert not DBTaskResult.objects.exists()
    assert submissions_store_all() == 1
    response = Response.objects.get(invitation=invitation)
    comments = sorted(response.answers.exclude(text="").values_list("pk", flat=True))
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("text_analyses_store_task")
    assert task.args_kwargs["kwargs"]["source_ids"] == comments
    assert not TextAnalysis.objects.exists()

    assert run_pending_tasks() == 1
    analyses = TextAnalysis.objects.order_by("source_id")
    assert [a.source_id for a in analyses] == comments
    assert all(a.customer == cust and a.occurred_at == response.submitted_at for a in analyses)
    _assert_matches_analyser(analyses.get(source_id=comments[0]), LATE)
    _assert_matches_analyser(analyses.get(source_id=comments[1]), HAPPY)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"

    before = list(analyses.values_list("pk", "analysed_at"))
    text_analyses_store_task.enqueue(**task.args_kwargs["kwargs"])  # a retry, or a second worker
    assert run_pending_tasks() == 1
    assert list(TextAnalysis.objects.order_by("source_id").values_list("pk", "analysed_at")) == (
        before
    )
    assert TextAspect.objects.filter(analysis__source_kind="survey_answer").count() == sum(
        len(set(a.predicted_aspect_names)) for a in analyses
    )


def test_a_rolled_back_submission_leaves_no_task(workspace_a, alice):
    """GIVEN a valid submission WHEN the transaction around it rolls back THEN neither the
    response nor its analysis task is left."""
    cust = fx.customer(workspace_a)
    survey = SurveyFactory(workspace=workspace_a, by=alice)
    invitation = survey_invitation_create(survey=survey, customer=cust, by=alice)
    data = _survey_answers(survey, LATE, HAPPY)
    with pytest.raises(RuntimeError), transaction.atomic():
        response_submit(survey=survey, data=data, language="it", invitation=invitation)
        assert DBTaskResult.objects.count() == 1  # queued inside the submission's transaction
        raise RuntimeError("the request failed after the submission")
    assert not Response.objects.exists() and not DBTaskResult.objects.exists()
    assert run_pending_tasks() == 0 and not TextAnalysis.objects.exists()


def test_a_submission_without_comments_queues_nothing(workspace_a, alice):
    cust = fx.customer(workspace_a)
    survey = SurveyFactory(workspace=workspace_a, by=alice)
    invitation = survey_invitation_create(survey=survey, customer=cust, by=alice)
    data = _survey_answers(survey, "", "")
    response_submit(survey=survey, data=data, language="it", invitation=invitation)
    assert Response.objects.count() == 1 and not DBTaskResult.objects.exists()


def test_staff_signal_is_analysed(workspace_a, bob, django_capture_on_commit_callbacks):
    cust = fx.customer(workspace_a)
    with django_capture_on_commit_callbacks(execute=True):
        signal = staff_signal_record(customer=cust, by=bob, text=LATE, polarity="negative")
    run_pending_tasks()
    analysis = TextAnalysis.objects.get(source_kind="staff_signal")
    assert analysis.source_id == signal.pk and analysis.customer == cust
    _assert_matches_analyser(analysis, LATE)


def test_same_text_is_not_analysed_again_and_a_new_text_is(
    workspace_a, bob, django_capture_on_commit_callbacks
):
    """GIVEN an analysed and corrected note WHEN it is saved again unchanged THEN the stored
    analysis and its correction are untouched; WHEN its text changes THEN it is analysed again
    and the old correction stops being current."""
    cust = fx.customer(workspace_a)
    tp = workspace_a.touchpoints.get(code="intervento")
    with django_capture_on_commit_callbacks(execute=True):
        interaction = interaction_record(customer=cust, by=bob, touchpoint=tp, text=LATE)
    run_pending_tasks()
    first = TextAnalysis.objects.get()
    text_correction_record(
        analysis=first, by=bob, sentiment="negative", emotion="sadness", aspects=["quality"]
    )
    analysis_tasks = DBTaskResult.objects.filter(task_path__startswith="ascolto.textanalysis.")
    before = analysis_tasks.count()
    with django_capture_on_commit_callbacks(execute=True):
        interaction_update(interaction=interaction, by=bob, channel="email")
    run_pending_tasks()
    assert analysis_tasks.count() == before + 1  # the analysis task ran ...
    again = TextAnalysis.objects.get()
    assert again.analysed_at == first.analysed_at  # ... and found nothing to do
    assert again.emotion == "sadness" and TextCorrection.objects.get().is_current

    with django_capture_on_commit_callbacks(execute=True):
        interaction_update(interaction=interaction, by=bob, text=HAPPY)
    run_pending_tasks()
    changed = TextAnalysis.objects.get()
    assert changed.pk == first.pk and changed.analysed_at > first.analysed_at
    _assert_matches_analyser(changed, HAPPY)
    assert not TextCorrection.objects.get().is_current


def test_cleared_text_loses_its_analysis(workspace_a, bob, django_capture_on_commit_callbacks):
    cust = fx.customer(workspace_a)
    tp = workspace_a.touchpoints.get(code="intervento")
    with django_capture_on_commit_callbacks(execute=True):
        interaction = interaction_record(customer=cust, by=bob, touchpoint=tp, text=LATE)
    run_pending_tasks()
    assert TextAnalysis.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        interaction_update(interaction=interaction, by=bob, text="")
    run_pending_tasks()
    assert not TextAnalysis.objects.exists()


def test_backfill_analyses_every_text_without_one_once(workspace_a, workspace_b, capsys):
    """GIVEN texts saved without analyses (no worker ran) in two workspaces WHEN the backfill
    runs for A THEN every text of A is analysed, B is untouched; a second run does nothing."""
    cust_a, cust_b = fx.customer(workspace_a), fx.customer(workspace_b)
    notes = [fx.interaction(cust_a, f"{LATE} ({n})") for n in range(7)]
    fx.interaction(cust_a, "")  # nothing to analyse
    fx.interaction(cust_b, LATE)
    call_command(
        "textanalysis",
        "backfill",
        "--workspace",
        str(workspace_a.pk),
        "--batch-size",
        "3",
        "--no-progress",
    )
    analyses = TextAnalysis.objects.filter(workspace=workspace_a)
    assert sorted(analyses.values_list("source_id", flat=True)) == [n.pk for n in notes]
    assert not TextAnalysis.objects.filter(workspace=workspace_b).exists()
    for analysis in analyses:
        _assert_matches_analyser(
            analysis,
            f"{LATE} ({notes.index(next(n for n in notes if n.pk == analysis.source_id))})",
        )
    before = list(analyses.values_list("pk", "analysed_at"))
    call_command("textanalysis", "backfill", "--no-progress")
    assert (
        list(TextAnalysis.objects.filter(workspace=workspace_a).values_list("pk", "analysed_at"))
        == before
    )
    assert TextAnalysis.objects.filter(workspace=workspace_b).count() == 1


def test_backfill_since_a_date_takes_exactly_the_recent_texts_in_time_order(workspace_a):
    """GIVEN texts before and after a date, several at the same moment across batch edges, in
    an order of creation unlike their order in time WHEN the backfill runs `since` that date in
    batches of 2 THEN exactly the recent texts are analysed, each once."""
    from ascolto.textanalysis.services import text_analysis_backfill

    cust = fx.customer(workspace_a)
    since = timezone.now() - timedelta(days=90)
    moments = [since + timedelta(days=d) for d in (30, 1, 0, 30, 30, -1, 60, 1, -200, 30)]
    notes = [fx.interaction(cust, f"{LATE} ({n})", when) for n, when in enumerate(moments)]
    recent = sorted(n.pk for n, when in zip(notes, moments, strict=True) if when >= since)
    assert text_analysis_backfill(workspace_id=workspace_a.pk, since=since, batch_size=2) == 8
    assert sorted(TextAnalysis.objects.values_list("source_id", flat=True)) == recent
    assert text_analysis_backfill(workspace_id=workspace_a.pk, since=since, batch_size=2) == 0
    assert text_analysis_backfill(workspace_id=workspace_a.pk, batch_size=2) == 2  # the older


def test_the_sweep_job_is_scheduled_and_analyses_leftovers(workspace_a):
    from ascolto.schedule import JOBS
    from ascolto.textanalysis.services import text_analyses_sweep

    assert "ascolto.textanalysis.services.text_analyses_sweep" in {j.func for j in JOBS}
    fx.interaction(fx.customer(workspace_a), LATE)
    assert text_analyses_sweep() == 1
    assert text_analyses_sweep() == 0


def test_the_sweep_removes_analyses_of_deleted_texts(workspace_a, workspace_b):
    from ascolto.textanalysis.services import text_analyses_orphans_delete

    gone = fx.interaction(fx.customer(workspace_a), LATE)
    kept = fx.interaction(fx.customer(workspace_a), HAPPY)
    other = fx.interaction(fx.customer(workspace_b), LATE)
    call_command("textanalysis", "backfill", "--no-progress")
    assert TextAnalysis.objects.count() == 3
    gone.delete()
    assert text_analyses_orphans_delete() == 1
    assert sorted(TextAnalysis.objects.values_list("source_id", flat=True)) == sorted(
        [kept.pk, other.pk]
    )
