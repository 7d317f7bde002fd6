"""The public page's one read, as it was imported before the submission path had a package of
its own: it now lives in `ascolto.feedback.submissions.form` (see docs/submissions.md)."""

from ascolto.feedback.submissions.form import InvitationForm, invitation_form_by_token

__all__ = ["InvitationForm", "invitation_form_by_token"]
