"""Reply drafts: the template follows the review's emotion (or its rating), in its language."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ascolto.voice import services
from ascolto.voice.drafts import (
    DEFAULT_TEMPLATES,
    draft_kind,
    reply_draft,
    reply_templates_install_defaults,
    template_check,
    template_fill,
)
from ascolto.voice.models import ReplyKind, ReplyLanguage, ReplyTemplate, Review
from ascolto.voice.tests.factories import ReviewFactory


def review(**kwargs) -> Review:
    return Review(**{"author": "Anna Bianchi", "language": "it", **kwargs})


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ({"emotion": "anger"}, "anger"),
        ({"emotion": "fear"}, "fear"),
        ({"emotion": "sadness"}, "sadness"),
        ({"emotion": "joy"}, "joy"),
        ({"emotion": "trust"}, "trust"),
        ({"emotion": "none", "is_negative": True, "rating": Decimal(1)}, "anger"),
        ({"emotion": "", "is_negative": True, "rating": Decimal(3)}, "sadness"),
        ({"emotion": "none", "rating": Decimal(5)}, "joy"),
        ({"emotion": "", "rating": None}, "neutral"),
    ],
)
def test_the_template_follows_the_emotion_then_the_rating(values, kind):
    assert draft_kind(review(**values)) == kind


def test_drafts_speak_the_review_s_language_and_address_the_customer_formally(workspace_a):
    workspace_a.name = "Noleggi Rossi"
    italian = reply_draft(review(emotion="fear"), workspace=workspace_a)
    assert italian.startswith("Gentile Anna,\n\n")
    assert "aiutarLa" in italian and italian.endswith("Lo staff di Noleggi Rossi")
    english = reply_draft(review(emotion="anger", language="en"), workspace=workspace_a)
    assert english.startswith("Dear Anna,\n\nwe are sorry") and english.endswith(
        "The team of Noleggi Rossi"
    )
    # A language with no templates: the workspace's.
    workspace_a.language = "en"
    german = reply_draft(review(emotion="joy", language="de"), workspace=workspace_a)
    assert german.startswith("Dear Anna,")
    workspace_a.language = "it"
    anonymous = reply_draft(review(author="", emotion="trust"), workspace=workspace_a)
    assert anonymous.startswith("Gentile cliente,")


def test_placeholders_are_filled_once_and_other_braces_stay():
    text = "Gentile {name} ({author}), da {business}: {name}. {sconosciuto} {{name}}"
    filled = template_fill(
        text, author="  {business}  Bianchi ", business="Rossi {name}", language="it"
    )
    # what is put in is never read again for placeholders
    assert filled == (
        "Gentile {business} ({business} Bianchi), da Rossi {name}: {business}. "
        "{sconosciuto} {{business}}"
    )
    assert template_fill("{name}", author="", business="x", language="en") == "customer"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "Scrivi la risposta."),
        ("Gentile {nome},", "Segnaposto sconosciuto {nome}"),
        ("x" * 3001, "Al massimo 3.000 caratteri."),
    ],
)
def test_a_template_with_an_unknown_placeholder_or_empty_is_refused(text, problem):
    from django.utils import translation

    with translation.override("it"), pytest.raises(ValidationError) as error:
        template_check(text)
    assert problem in str(error.value.message_dict["text"])


@pytest.mark.django_db
def test_new_workspaces_get_every_template_and_installing_again_changes_nothing(workspace_a):
    rows = ReplyTemplate.objects.filter(workspace=workspace_a)
    assert rows.count() == len(ReplyKind.values) * len(ReplyLanguage.values) == 12
    assert rows.get(kind="anger", language="it").text == DEFAULT_TEMPLATES["it"]["anger"]
    reply_templates_install_defaults(workspace=workspace_a)
    assert rows.count() == 12


@pytest.mark.django_db
def test_the_data_migration_gives_existing_workspaces_the_shipped_templates():
    """Migration 0002 installs, for workspaces made before it, the same texts as a new
    workspace gets."""
    import importlib

    migration = importlib.import_module("ascolto.voice.migrations.0002_reply_templates")
    assert migration.TEMPLATES == DEFAULT_TEMPLATES


@pytest.mark.django_db
def test_editing_a_template_changes_the_draft_of_that_workspace_only(
    workspace_a, workspace_b, carol, bob
):
    mine = ReviewFactory(workspace=workspace_a, emotion="anger", language="it", author="Anna B")
    theirs = ReviewFactory(workspace=workspace_b, emotion="anger", language="it", author="Anna B")
    template = ReplyTemplate.objects.get(workspace=workspace_a, kind="anger", language="it")
    with pytest.raises(PermissionDenied):
        services.reply_template_update(template=template, by=bob, text="Ciao {name}")
    services.reply_template_update(
        template=template, by=carol, text="Ciao {name}, ci scusi. {business}"
    )
    assert reply_draft(mine) == "Ciao Anna, ci scusi. Noleggi Rossi"
    assert reply_draft(theirs).startswith("Gentile Anna,\n\nci dispiace")
    # a manager of another workspace cannot touch it
    from ascolto.workspaces.models import Membership

    with pytest.raises(PermissionDenied):
        services.reply_template_update(
            template=template,
            by=Membership.objects.get(workspace=workspace_b, role="owner"),
            text="x",
        )
    services.reply_template_update(template=template, by=carol, restore=True)
    assert reply_draft(mine).startswith("Gentile Anna,\n\nci dispiace")
