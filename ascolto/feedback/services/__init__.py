"""Writes for the feedback app, split by subject (`surveys`, `invitations`, `responses`)."""

from ascolto.feedback.services.invitations import (
    OPEN_LINK_SUBMITS_PER_HOUR,
    client_address_hash,
    open_link_create,
    open_link_hit,
    open_link_set_active,
    open_link_url,
    survey_invitation_create,
    survey_invitation_open,
    survey_invitation_resend,
    survey_invitation_send,
    survey_invitations_sweep,
    survey_link,
    survey_reminder_send,
    survey_reminders_queue,
)
from ascolto.feedback.services.responses import response_submit
from ascolto.feedback.services.surveys import (
    SCORE_RANGES,
    question_add,
    question_delete,
    question_update,
    survey_create,
    survey_update,
)
from ascolto.feedback.submissions.answers import (
    MAX_TEXT_LENGTH,
    AlreadyAnswered,
    field_name,
    response_answers_clean,
    score_band,
)

__all__ = [
    "MAX_TEXT_LENGTH",
    "OPEN_LINK_SUBMITS_PER_HOUR",
    "SCORE_RANGES",
    "AlreadyAnswered",
    "client_address_hash",
    "field_name",
    "open_link_create",
    "open_link_hit",
    "open_link_set_active",
    "open_link_url",
    "question_add",
    "question_delete",
    "question_update",
    "response_answers_clean",
    "response_submit",
    "score_band",
    "survey_create",
    "survey_invitation_create",
    "survey_invitation_open",
    "survey_invitation_resend",
    "survey_invitation_send",
    "survey_invitations_sweep",
    "survey_link",
    "survey_reminder_send",
    "survey_reminders_queue",
    "survey_update",
]
