"""Reply drafts for public reviews, chosen by what the review feels (text analysis' emotion)
and written in its language: staff adapt one and paste it on the platform.

Each workspace has its own templates (`ReplyTemplate`), one per kind and language, which managers
edit on the "Reply templates" page; a new workspace starts with the shipped ones below
(`workspaces.hooks.workspace_created`; workspaces made before got them by migration 0002).

What each emotion needs (the response guidance of text analysis): anger wants an apology and
speed, worry wants help and a clear next step, sadness wants to be heard, joy and trust want
thanks. A review with no emotion is thanked when its rating is good, and answered with an offer
to talk otherwise. Customers are addressed with "Lei" in Italian.

Placeholders in a template: `{name}` (the author's first name, or "cliente"/"customer" when
the review has no author), `{author}` (the author as written), `{business}` (the workspace's
name). They are replaced in one pass, so a name that itself looks like a placeholder stays as
written; the draft is plain text, escaped by the page that shows it.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ascolto.voice.models import ReplyLanguage, ReplyTemplate, Review
from ascolto.workspaces.models import Workspace

LANGUAGES = tuple(ReplyLanguage.values)
PLACEHOLDERS = ("name", "author", "business")
_PLACEHOLDER = re.compile(r"\{(name|author|business)\}")
_ANY_BRACES = re.compile(r"\{([^{}\s]{0,40})\}")
# The word {name} becomes when a review has no author.
NO_NAME = {"it": "cliente", "en": "customer"}

DEFAULT_TEMPLATES: dict[str, dict[str, str]] = {
    "it": {
        "anger": (
            "Gentile {name},\n\nci dispiace, e ha ragione a farcelo sapere. Quello che è "
            "successo non è il servizio che promettiamo. Vorremmo rimediare subito: ci scriva o "
            "ci chiami, e un responsabile se ne occuperà personalmente oggi stesso.\n\n"
            "Lo staff di {business}"
        ),
        "fear": (
            "Gentile {name},\n\ngrazie per averci scritto. Capiamo la preoccupazione e siamo "
            "qui per aiutarLa: ci dica come raggiungerLa e Le spiegheremo passo per passo cosa "
            "succede ora.\n\nLo staff di {business}"
        ),
        "sadness": (
            "Gentile {name},\n\nci dispiace leggere queste parole, e La ringraziamo per il "
            "tempo che ci ha dedicato. Quello che ci scrive conta per noi: vorremmo saperne di "
            "più e capire come rimediare.\n\nLo staff di {business}"
        ),
        "joy": (
            "Gentile {name},\n\ngrazie di cuore per le Sue belle parole! Siamo felici che sia "
            "rimasto soddisfatto, e condivideremo la Sua recensione con tutta la squadra.\n\n"
            "Lo staff di {business}"
        ),
        "trust": (
            "Gentile {name},\n\ngrazie per la fiducia e per averci consigliato. Per noi vale "
            "molto, e speriamo di rivederLa presto.\n\nLo staff di {business}"
        ),
        "neutral": (
            "Gentile {name},\n\ngrazie per la Sua recensione. Se qualcosa poteva andare "
            "meglio, ce lo dica: leggiamo ogni commento e ci farebbe piacere sentirLa.\n\n"
            "Lo staff di {business}"
        ),
    },
    "en": {
        "anger": (
            "Dear {name},\n\nwe are sorry, and you are right to tell us. What happened is not "
            "the service we promise. We would like to put it right straight away: please write "
            "to us or call us, and a manager will take care of it personally today.\n\n"
            "The team of {business}"
        ),
        "fear": (
            "Dear {name},\n\nthank you for writing. We understand the worry, and we are here to "
            "help: tell us how to reach you and we will explain step by step what happens "
            "next.\n\nThe team of {business}"
        ),
        "sadness": (
            "Dear {name},\n\nwe are sorry to read this, and thank you for taking the time to "
            "tell us. Your words matter to us: we would like to hear more and see how to make "
            "it up to you.\n\nThe team of {business}"
        ),
        "joy": (
            "Dear {name},\n\nthank you so much for your kind words! We are delighted you were "
            "happy, and we will share your review with the whole team.\n\nThe team of {business}"
        ),
        "trust": (
            "Dear {name},\n\nthank you for your trust and for recommending us. It means a lot "
            "to us, and we look forward to seeing you again.\n\nThe team of {business}"
        ),
        "neutral": (
            "Dear {name},\n\nthank you for your review. If anything could have gone better, "
            "please tell us: we read every comment and we would like to hear from you.\n\n"
            "The team of {business}"
        ),
    },
}


def draft_kind(review: Review) -> str:
    """The template for this review: its emotion, or by its rating when it has none."""
    if review.emotion in ("anger", "fear", "sadness", "joy", "trust"):
        return review.emotion
    if review.is_negative:
        return "anger" if review.rating is not None and review.rating <= 2 else "sadness"
    if review.rating is not None and review.rating >= 4:
        return "joy"
    return "neutral"


def draft_language(review: Review, fallback: str) -> str:
    language = (review.language or "")[:2].lower()
    if language in LANGUAGES:
        return language
    return fallback if fallback in LANGUAGES else "it"


def template_fill(text: str, *, author: str, business: str, language: str) -> str:
    """`text` with its placeholders replaced, in one pass (what is put in is never read again
    for placeholders); braces that are not a placeholder stay as written."""
    author = " ".join(author.split())
    values = {
        "name": author.split()[0] if author else NO_NAME.get(language, NO_NAME["it"]),
        "author": author or NO_NAME.get(language, NO_NAME["it"]),
        "business": business,
    }
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def template_text(*, workspace: Workspace, kind: str, language: str) -> str:
    """The workspace's template, or the shipped one if it has none (yet)."""
    text = (
        ReplyTemplate.objects.filter(workspace=workspace, kind=kind, language=language)
        .values_list("text", flat=True)
        .first()
    )
    return text if text is not None else DEFAULT_TEMPLATES[language][kind]


def reply_draft(review: Review, *, workspace: Workspace | None = None) -> str:
    """The draft reply to `review` from its workspace's template for the review's kind, in its
    language (else the workspace's)."""
    workspace = workspace or review.workspace
    language = draft_language(review, workspace.language)
    text = template_text(workspace=workspace, kind=draft_kind(review), language=language)
    return template_fill(text, author=review.author, business=workspace.name, language=language)


# --- Templates: defaults and edits -------------------------------------------------------------


def reply_templates_install_defaults(*, workspace: Workspace) -> None:
    """The shipped templates for a new workspace (the system's; missing ones only, so running it
    again changes nothing). Registered on `workspaces.hooks.workspace_created`."""
    ReplyTemplate.objects.bulk_create(
        [
            ReplyTemplate(workspace=workspace, kind=kind, language=language, text=text)
            for language, texts in DEFAULT_TEMPLATES.items()
            for kind, text in texts.items()
        ],
        ignore_conflicts=True,
    )


def template_check(text: str) -> str:
    """The text as it will be stored, or ValidationError naming an unknown placeholder."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError({"text": _("Write the reply.")})
    if len(text) > 3_000:
        raise ValidationError({"text": _("At most 3,000 characters.")})
    unknown = [m for m in _ANY_BRACES.findall(text) if m not in PLACEHOLDERS]
    if unknown:
        raise ValidationError(
            {
                "text": _("Unknown placeholder {%(name)s}: use {name}, {author} or {business}.")
                % {"name": unknown[0]}
            }
        )
    return text
