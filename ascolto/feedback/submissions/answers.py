"""Validating a survey's answers, and what a stored response is derived from them.

Every way a response comes in (the public page, an open link, a member, an import) checks its
answers here, with the same messages. The public page validates against `QuestionRule`s built
from its one read (`form.py`) instead of model instances; the other paths pass `Question`s.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from ascolto.feedback.models import Question, Response, Survey
from ascolto.lib.text import clean_text

MAX_TEXT_LENGTH = 5_000
PLAIN_SCORE = re.compile(r"0|[1-9][0-9]{0,2}", re.ASCII)
# A yes/no answer is stored as a number (1 yes, 0 no), so its share of yes is an average in SQL.
YES, NO = "yes", "no"
YES_WORDS = {YES, "sì", "si", "s", "y", "1", "true", "vero"}
NO_WORDS = {NO, "n", "0", "false", "falso"}


class AlreadyAnswered(Exception):
    """The invitation already has its response (or a submission waiting); nothing was stored."""


@dataclass(frozen=True, slots=True)
class QuestionRule:
    """What validating and storing an answer needs of its question, without a model instance
    (the public page's submission builds these from its one read; see `form.py`)."""

    pk: int
    kind: str
    role: str
    required: bool
    min_value: int | None
    max_value: int | None
    choices: list[dict[str, Any]]

    @property
    def is_numeric(self) -> bool:
        return self.kind in (Question.Kind.SCORE, Question.Kind.SCALE)


@dataclass(frozen=True)
class CleanAnswer:
    question: Question | QuestionRule
    number: int | None = None
    text: str = ""
    choice: str = ""

    @property
    def is_empty(self) -> bool:
        return self.number is None and not self.text and not self.choice


@dataclass(frozen=True)
class ResponseTarget:
    """Where a response is stored: the ids it needs, read before the write transaction."""

    workspace_id: int
    survey_id: int
    kind: str
    invitation_id: int | None = None
    customer_id: int | None = None
    open_link_id: int | None = None


def field_name(question: Question | QuestionRule) -> str:
    return f"q{question.pk}"


def response_answers_clean(
    *, questions: Sequence[Question | QuestionRule], data: Mapping[str, Any]
) -> tuple[list[CleanAnswer], dict[str, str]]:
    """Check every answer against its question. Returns the clean answers and, per form field,
    a message in the active language. Unknown fields are ignored."""
    answers: list[CleanAnswer] = []
    errors: dict[str, str] = {}
    for question in questions:
        name = field_name(question)
        raw = data.get(name, "")
        raw = raw if isinstance(raw, str) else ""
        raw = clean_text(raw).strip()
        if not raw:
            if question.required:
                errors[name] = (
                    _("Please choose a score.") if question.is_numeric else _("Please answer.")
                )
            answers.append(CleanAnswer(question))
            continue
        answer, error = _answer_clean(question, raw)
        if error:
            errors[name] = error
        else:
            answers.append(answer)
    return answers, errors


def _answer_clean(question: Question | QuestionRule, raw: str) -> tuple[CleanAnswer, str]:
    """One non-empty answer: the clean answer, or a message ("" when it is valid)."""
    if question.is_numeric:
        # Only the plain digits of the scale: int() would also take "1_0", "0010" and digits
        # of other scripts ("٣").
        number = int(raw) if PLAIN_SCORE.fullmatch(raw) else None
        if number is None or not (question.min_value <= number <= question.max_value):
            return CleanAnswer(question), _("Choose a whole number from %(min)s to %(max)s.") % {
                "min": question.min_value,
                "max": question.max_value,
            }
        return CleanAnswer(question, number=number), ""
    if question.kind == Question.Kind.YESNO:
        word = raw.lower()
        if word in YES_WORDS or word in NO_WORDS:
            return CleanAnswer(question, number=1 if word in YES_WORDS else 0), ""
        return CleanAnswer(question), _("Answer yes or no.")
    if question.kind == Question.Kind.CHOICE:
        if raw not in {str(c["value"]) for c in question.choices}:
            return CleanAnswer(question), _("Choose one of the options.")
        return CleanAnswer(question, choice=raw), ""
    if len(raw) > MAX_TEXT_LENGTH:
        message = _("Please keep your answer under %(limit)s characters (it has %(length)s).")
        return CleanAnswer(question), message % {
            "limit": f"{MAX_TEXT_LENGTH:,}",
            "length": f"{len(raw):,}",
        }
    return CleanAnswer(question, text=raw), ""


def main_score(answers: Sequence[CleanAnswer]) -> int | None:
    """The number given to the survey's main question (None if it has none)."""
    main = next((a for a in answers if a.question.role == Question.Role.MAIN), None)
    return main.number if main else None


def score_band(kind: str, score: int | None) -> str:
    """Promoter, passive or detractor for a main score of a survey of `kind` ("" for none)."""
    if score is None:
        return ""
    if kind == Survey.Kind.NPS:
        bands = ((9, 10), (7, 8), (0, 6))
    elif kind == Survey.Kind.CSAT:
        bands = ((4, 5), (3, 3), (1, 2))
    elif kind == Survey.Kind.CES:  # 1 = very little effort
        bands = ((1, 2), (3, 4), (5, 7))
    else:
        return ""
    for band, (low, high) in zip(Response.Band.values, bands, strict=True):
        if low <= score <= high:
            return band
    return ""


TOP_SCORES = {Survey.Kind.NPS: (9, 10), Survey.Kind.CSAT: (5, 5), Survey.Kind.CES: (1, 1)}


def is_all_good(kind: str, score: int | None, answers: list[CleanAnswer]) -> bool:
    """A top score with nothing to improve: "everything is fine", which the health score
    treats as a quiet warning, not as reassurance."""
    if score is None or kind not in TOP_SCORES:
        return False
    low, high = TOP_SCORES[kind]
    improve = [a for a in answers if a.question.role == Question.Role.IMPROVE]
    return low <= score <= high and all(not a.text for a in improve)
