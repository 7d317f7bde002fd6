"""Writes for surveys and their questions, with the NPS, CSAT and CES templates."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ascolto.feedback.models import Question, Survey
from ascolto.lib.updates import model_update, refuse_unknown_fields
from ascolto.workspaces.guards import require_member
from ascolto.workspaces.models import Membership, Role, Workspace

# The score range of each kind's main question, and the best score ("top") for "all good".
SCORE_RANGES: dict[str, tuple[int, int]] = {
    Survey.Kind.NPS: (0, 10),
    Survey.Kind.CSAT: (1, 5),
    Survey.Kind.CES: (1, 7),
}

_IMPROVE_IT = "Una cosa che potremmo fare meglio?"
_IMPROVE_EN = "One thing we could do better?"

# Texts written for the customer, in both languages; %(business)s is the workspace name. The
# Italian comes in two registers, (Lei, tu): "Lei" unless the workspace chose "tu"
# (`Workspace.customer_address`). No text counts the questions: a survey gains questions, and
# the survey page counts them itself.
TEMPLATES: dict[str, dict[str, Any]] = {
    Survey.Kind.NPS: {
        "title": (
            ("La Sua opinione su %(business)s", "La tua opinione su %(business)s"),
            "Your opinion of %(business)s",
        ),
        "intro": (
            ("Meno di un minuto. Leggiamo ogni risposta.",) * 2,
            "Less than a minute. We read every answer.",
        ),
        "thanks": (
            (
                "La Sua risposta ci aiuta a migliorare.",
                "La tua risposta ci aiuta a migliorare.",
            ),
            "Your answer helps us improve.",
        ),
        "questions": [
            (
                Question.Kind.SCORE,
                Question.Role.MAIN,
                (
                    "Quanto è probabile che consiglierebbe %(business)s a un amico o collega?",
                    "Quanto è probabile che consiglieresti %(business)s a un amico o collega?",
                ),
                "How likely are you to recommend %(business)s to a friend or colleague?",
            ),
            (Question.Kind.TEXT, Question.Role.WHY, ("Perché?",) * 2, "Why?"),
            (Question.Kind.TEXT, Question.Role.IMPROVE, (_IMPROVE_IT,) * 2, _IMPROVE_EN),
        ],
    },
    Survey.Kind.CSAT: {
        "title": (("Com'è andata con %(business)s?",) * 2, "How did it go with %(business)s?"),
        "intro": (("Meno di un minuto.",) * 2, "Less than a minute."),
        "thanks": (
            ("Grazie per il Suo tempo.", "Grazie per il tuo tempo."),
            "Thank you for your time.",
        ),
        "questions": [
            (
                Question.Kind.SCORE,
                Question.Role.MAIN,
                (
                    "Quanto è soddisfatto del servizio di %(business)s?",
                    "Quanto sei soddisfatto del servizio di %(business)s?",
                ),
                "How satisfied are you with the service of %(business)s?",
            ),
            (Question.Kind.TEXT, Question.Role.WHY, ("Perché?",) * 2, "Why?"),
            (Question.Kind.TEXT, Question.Role.IMPROVE, (_IMPROVE_IT,) * 2, _IMPROVE_EN),
        ],
    },
    Survey.Kind.CES: {
        "title": (("È stato semplice?",) * 2, "Was it easy?"),
        "intro": (
            (
                "Vogliamo che lavorare con %(business)s sia semplice. Ci dica com'è andata.",
                "Vogliamo che lavorare con %(business)s sia semplice. Dicci com'è andata.",
            ),
            "We want working with %(business)s to be easy. Tell us how it went.",
        ),
        "thanks": (("Ne terremo conto.",) * 2, "We will take it into account."),
        "questions": [
            (
                Question.Kind.SCORE,
                Question.Role.MAIN,
                (
                    "Quanto impegno Le è costato ottenere ciò che Le serviva? "
                    "(1 = pochissimo, 7 = moltissimo)",
                    "Quanto impegno ti è costato ottenere ciò che ti serviva? "
                    "(1 = pochissimo, 7 = moltissimo)",
                ),
                "How much effort did it take you to get what you needed? "
                "(1 = very little, 7 = a great deal)",
            ),
            (Question.Kind.TEXT, Question.Role.WHY, ("Perché?",) * 2, "Why?"),
            (Question.Kind.TEXT, Question.Role.IMPROVE, (_IMPROVE_IT,) * 2, _IMPROVE_EN),
        ],
    },
    Survey.Kind.CUSTOM: {
        "title": (
            ("La Sua opinione su %(business)s", "La tua opinione su %(business)s"),
            "Your opinion of %(business)s",
        ),
        "intro": (("",) * 2, ""),
        "thanks": (
            ("Grazie per le Sue risposte.", "Grazie per le tue risposte."),
            "Thank you for your answers.",
        ),
        "questions": [
            (Question.Kind.TEXT, Question.Role.IMPROVE, (_IMPROVE_IT,) * 2, _IMPROVE_EN),
        ],
    },
}


def _italian(texts: tuple[str, str], workspace: Workspace) -> str:
    """The Italian text in the workspace's register (Lei unless it chose tu)."""
    return texts[1] if getattr(workspace, "customer_address", "lei") == "tu" else texts[0]


SURVEY_FIELDS = (
    "name",
    "title_it",
    "title_en",
    "intro_it",
    "intro_en",
    "thanks_it",
    "thanks_en",
    "active",
    "reminder_after_days",
    "expires_after_days",
)
QUESTION_FIELDS = (
    "kind",
    "role",
    "text_it",
    "text_en",
    "min_value",
    "max_value",
    "low_label_it",
    "low_label_en",
    "high_label_it",
    "high_label_en",
    "choices",
    "required",
    "dimension",
    "touchpoint",
)


def _fill(text: str, business: str) -> str:
    return text.replace("%(business)s", business)


@transaction.atomic
def survey_create(
    *, workspace: Workspace, by: Membership, name: str, kind: str, **fields: Any
) -> Survey:
    """Create a survey from its kind's template: texts in Italian and English and the standard
    questions (main score, "why?", "what could be better"). Fields given override the template.
    Managers and owners."""
    require_member(by, workspace, Role.MANAGER)
    refuse_unknown_fields(Survey, fields, SURVEY_FIELDS)
    if kind not in Survey.Kind.values:
        raise ValidationError({"kind": _("Choose a kind of survey.")})
    template = TEMPLATES[kind]
    business = workspace.name
    values: dict[str, Any] = {}
    for field in ("title", "intro", "thanks"):
        it, en = template[field]
        values[f"{field}_it"] = _fill(_italian(it, workspace), business)
        values[f"{field}_en"] = _fill(en, business)
    values.update({k: v for k, v in fields.items() if k in SURVEY_FIELDS and v not in (None, "")})
    if "reminder_after_days" in fields:
        values["reminder_after_days"] = fields["reminder_after_days"]
    values["name"] = (name or "").strip()
    survey = Survey(workspace=workspace, kind=kind, created_by=by, **values)
    survey.full_clean()
    survey.save()
    low_high = SCORE_RANGES.get(kind, (None, None))
    for position, (q_kind, role, text_it, text_en) in enumerate(template["questions"], start=1):
        is_score = q_kind == Question.Kind.SCORE
        question = Question(
            workspace=workspace,
            survey=survey,
            position=position,
            kind=q_kind,
            role=role,
            text_it=_fill(_italian(text_it, workspace), business),
            text_en=_fill(text_en, business),
            min_value=low_high[0] if is_score else None,
            max_value=low_high[1] if is_score else None,
            required=is_score,
        )
        question.full_clean()
        question.save()
    return survey


@transaction.atomic
def survey_update(*, survey: Survey, by: Membership, **fields: Any) -> Survey:
    """Change a survey's texts and settings (managers and owners)."""
    require_member(by, survey.workspace_id, Role.MANAGER)
    model_update(survey, fields, SURVEY_FIELDS)
    return survey


def _check_question(question: Question) -> None:
    if question.kind == Question.Kind.SCORE or question.role == Question.Role.MAIN:
        raise ValidationError(
            {"kind": _("The main score comes with the survey; add a rating scale instead.")}
        )


@transaction.atomic
def question_add(*, survey: Survey, by: Membership, **fields: Any) -> Question:
    """Add a question at the end of the survey (managers and owners)."""
    require_member(by, survey.workspace_id, Role.MANAGER)
    refuse_unknown_fields(Question, fields, QUESTION_FIELDS)
    last = Question.objects.filter(survey=survey).aggregate(m=Max("position"))["m"] or 0
    question = Question(
        workspace_id=survey.workspace_id,
        survey=survey,
        position=last + 1,
        **fields,
    )
    _check_question(question)
    if question.kind != Question.Kind.CHOICE:
        question.choices = []
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def question_update(*, question: Question, by: Membership, **fields: Any) -> Question:
    """Change a question's texts and options (managers and owners). Its kind stays, and so
    does the role of the survey's own questions (main score, why, what could be better), so
    answers already given keep their meaning; another question may become one that rates a
    dimension or stop being one. Only a rating scale has a range to change."""
    require_member(by, question.workspace_id, Role.MANAGER)
    allowed = {"text_it", "text_en", "required", "dimension", "touchpoint", "choices"}
    if question.role in (Question.Role.DIMENSION, Question.Role.OTHER):
        allowed.add("role")
    if question.is_numeric:
        allowed |= {"low_label_it", "low_label_en", "high_label_it", "high_label_en"}
    if question.kind == Question.Kind.SCALE:
        allowed |= {"min_value", "max_value"}
    refuse_unknown_fields(Question, fields, allowed)
    if fields.get("role", Question.Role.OTHER) not in (
        Question.Role.DIMENSION,
        Question.Role.OTHER,
    ):
        raise ValidationError({"role": _("This question's role cannot change.")})
    if question.role == Question.Role.MAIN:
        fields = {**fields, "required": True}
    model_update(question, fields, allowed)
    return question


@transaction.atomic
def question_delete(*, question: Question, by: Membership) -> None:
    """Remove a question nobody has answered (managers and owners)."""
    require_member(by, question.workspace_id, Role.MANAGER)
    if question.role in (Question.Role.MAIN, Question.Role.IMPROVE):
        raise ValidationError(_("Every survey keeps its main score and asks what could be better."))
    if question.answers.exists():
        raise ValidationError(_("This question already has answers; it cannot be deleted."))
    question.delete()
