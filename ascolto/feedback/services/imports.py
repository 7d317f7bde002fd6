"""Importing responses collected elsewhere (a paper survey, another tool) from CSV rows.

Each row is email, date, score, comment and, optionally, the survey's name. A row with an
error is reported with its line and the reason, and the others are imported. An imported
response is an ordinary `Response` of the customer (so it shows on the timeline and counts in
the dashboards) dated at noon, local time, of the row's day; the comment is the answer to the
survey's "why?" question.

Decisions:
- Re-running a file imports nothing twice: every row has an `import_key`, the SHA-256 of the
  workspace, email, date, score, survey and comment, unique per workspace.
- History stays quiet: only a detractor response dated within the last `ALERT_WITHIN_DAYS`
  days alerts the account owner (in the app and by email), as a submitted one would; older
  rows are history, and alerting on them would flood the team with stale news.
- "All good": an import has no "what could be better" column, so a top score with an empty
  comment counts as the "tutto bene" signal, and one with a comment does not.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from ascolto.customers.models import Customer
from ascolto.feedback.models import Answer, Question, Response, Survey
from ascolto.feedback.services.surveys import SCORE_RANGES
from ascolto.feedback.submissions.answers import (
    MAX_TEXT_LENGTH,
    TOP_SCORES,
    CleanAnswer,
    score_band,
)
from ascolto.feedback.submissions.store import detractor_alert
from ascolto.lib.csvimport import CsvRow
from ascolto.workspaces.models import Workspace

ALERT_WITHIN_DAYS = 3
BATCH_SIZE = 500
REQUIRED_COLUMNS = ("email", "date", "score")
_SCORE = re.compile(r"^([+-]?\d+)(?:[.,]0+)?$", re.ASCII)


FIRST_PLAUSIBLE_YEAR = 1900
"""A survey answer dated before this is a typing error (`01/01/0001`), not history."""


@dataclass
class ImportResult:
    imported: int = 0
    duplicates: int = 0
    """Rows imported by an earlier run."""
    errors: list[tuple[int, str]] = field(default_factory=list)
    repeated: list[tuple[int, int]] = field(default_factory=list)
    """(line, earlier line) of rows that repeat an earlier row of the same file: left out."""
    alerts: int = 0


@dataclass
class _Row:
    line: int
    survey: Survey
    customer_id: int
    day: date
    score: int
    comment: str
    key: str


def parse_day(value: str) -> date | None:
    """`YYYY-MM-DD` or `DD/MM/YYYY` (also with `-` or `.`), else None."""
    value = value.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, pattern).date()  # noqa: DTZ007 (a date only)
        except ValueError:
            continue
    return None


def import_key(
    *, workspace_id: int, email: str, day: date, score: int, survey_id: int, comment: str
) -> str:
    content = "\x1f".join(
        [str(workspace_id), email, day.isoformat(), str(score), str(survey_id), comment]
    )
    return hashlib.sha256(content.encode()).hexdigest()


def _survey_ranges(surveys: list[Survey]) -> dict[int, tuple[int, int]]:
    mains = {
        q.survey_id: q
        for q in Question.objects.filter(
            survey__in=surveys, role=Question.Role.MAIN
        ).select_related(None)
    }
    ranges = {}
    for survey in surveys:
        main = mains.get(survey.pk)
        if main is not None and main.min_value is not None and main.max_value is not None:
            ranges[survey.pk] = (main.min_value, main.max_value)
        elif survey.kind in SCORE_RANGES:
            ranges[survey.pk] = SCORE_RANGES[survey.kind]
    return ranges


def responses_import(
    *,
    workspace: Workspace,
    rows: list[CsvRow],
    survey_name: str = "",
    dry_run: bool = False,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Validate every row and store the valid ones (unless `dry_run`). Errors come back as
    (line, message) in the active language; nothing is stored for a row with an error."""
    zone = ZoneInfo(workspace.time_zone)
    today = today or timezone.localdate(timezone=zone)
    result = ImportResult()
    surveys = list(Survey.objects.for_workspace(workspace))
    by_name: dict[str, Survey] = {}
    for survey in sorted(surveys, key=lambda s: s.pk):
        by_name.setdefault(survey.name.strip().lower(), survey)
    ranges = _survey_ranges(surveys)
    emails = {r.values.get("email", "").strip().lower() for r in rows} - {""}
    customers: dict[str, list[int]] = {}
    for pk, email in (
        Customer.objects.for_workspace(workspace)
        .annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .order_by("pk")
        .values_list("pk", "email_lower")
    ):
        customers.setdefault(email, []).append(pk)

    default_name = (survey_name or "").strip().lower()
    valid: list[_Row] = []
    for row in rows:
        error, parsed = _row_check(workspace, row, by_name, default_name, ranges, customers, today)
        if error:
            result.errors.append((row.line, error))
        else:
            valid.append(parsed)

    seen: dict[str, int] = {}
    fresh: list[_Row] = []
    for start in range(0, len(valid), BATCH_SIZE):
        batch = valid[start : start + BATCH_SIZE]
        existing = set(
            Response.objects.for_workspace(workspace)
            .filter(import_key__in=[r.key for r in batch])
            .values_list("import_key", flat=True)
        )
        for r in batch:
            if r.key in seen:
                result.repeated.append((r.line, seen[r.key]))
            elif r.key in existing:
                seen[r.key] = r.line
                result.duplicates += 1
            else:
                seen[r.key] = r.line
                fresh.append(r)
    if dry_run:
        result.imported = len(fresh)
        if progress:
            progress(len(rows))
        return result
    if progress and len(rows) > len(fresh):
        progress(len(rows) - len(fresh))
    why = {
        q.survey_id: q
        for q in Question.objects.filter(survey__in=surveys, role=Question.Role.WHY)
        .select_related("survey__workspace")
        .order_by("-position")
    }
    recent = today - timedelta(days=ALERT_WITHIN_DAYS)
    for start in range(0, len(fresh), BATCH_SIZE):
        batch = fresh[start : start + BATCH_SIZE]
        result.imported += _store(workspace, batch, why, zone, recent, result)
        if progress:
            progress(len(batch))
    return result


def _row_check(workspace, row, by_name, default_name, ranges, customers, today):
    values = row.values
    email = values.get("email", "").strip().lower()
    name = (values.get("survey") or "").strip()
    survey = by_name.get(name.lower() or default_name)
    if survey is None:
        if name or default_name:
            return _("unknown survey “%(name)s”") % {"name": name or default_name}, None
        if len(by_name) == 1:
            survey = next(iter(by_name.values()))
        else:
            return _("no survey given (add a survey column or use --survey)"), None
    if not email:
        return _("the email is missing"), None
    matches = customers.get(email)
    if not matches:
        return _("no customer with the email “%(email)s” in this workspace") % {
            "email": email
        }, None
    if len(matches) > 1:
        return _("several customers have the email “%(email)s”") % {"email": email}, None
    raw_day = values.get("date", "").strip()
    day = parse_day(raw_day)
    if day is None:
        return _("“%(date)s” is not a date (use YYYY-MM-DD or DD/MM/YYYY)") % {
            "date": raw_day
        }, None
    if day > today:
        return _("the date %(date)s is in the future") % {"date": day.isoformat()}, None
    if day.year < FIRST_PLAUSIBLE_YEAR:
        return _("the date %(date)s is before %(year)s: check the year") % {
            "date": day.isoformat(),
            "year": FIRST_PLAUSIBLE_YEAR,
        }, None
    raw_score = values.get("score", "").strip()
    match = _SCORE.match(raw_score)
    if match is None:
        return _("the score “%(score)s” is not a whole number") % {"score": raw_score}, None
    score = int(match.group(1))
    low, high = ranges.get(survey.pk, (0, 10))
    if not low <= score <= high:
        return _(
            "the score %(score)s is out of range for the survey “%(survey)s” (%(low)s–%(high)s)"
        ) % {"score": score, "survey": survey.name, "low": low, "high": high}, None
    comment = (values.get("comment") or "").replace("\x00", "").strip()
    if len(comment) > MAX_TEXT_LENGTH:
        return _("the comment is longer than %(limit)s characters") % {
            "limit": f"{MAX_TEXT_LENGTH:,}"
        }, None
    key = import_key(
        workspace_id=workspace.pk,
        email=email,
        day=day,
        score=score,
        survey_id=survey.pk,
        comment=comment,
    )
    return "", _Row(row.line, survey, matches[0], day, score, comment, key)


@transaction.atomic
def _store(workspace, batch, why, zone, recent, result) -> int:
    responses = []
    for r in batch:
        top = TOP_SCORES.get(r.survey.kind)
        responses.append(
            Response(
                workspace=workspace,
                survey=r.survey,
                customer_id=r.customer_id,
                submitted_at=datetime.combine(r.day, time(12, 0), tzinfo=zone),
                language=workspace.language if workspace.language in ("it", "en") else "it",
                kind=r.survey.kind,
                score=r.score,
                band=score_band(r.survey.kind, r.score),
                all_good=bool(top and top[0] <= r.score <= top[1] and not r.comment),
                import_key=r.key,
            )
        )
    responses[0].full_clean()
    Response.objects.bulk_create(responses)
    answers = []
    for r, response in zip(batch, responses, strict=True):
        question = why.get(r.survey.pk)
        if r.comment and question is not None:
            answers.append(Answer(response=response, question=question, text=r.comment))
    Answer.objects.bulk_create(answers)
    for r, response in zip(batch, responses, strict=True):
        if response.is_detractor and r.day >= recent:
            question = why.get(r.survey.pk)
            clean = [CleanAnswer(question, text=r.comment)] if question and r.comment else []
            detractor_alert(response, clean)
            result.alerts += 1
    return len(responses)
