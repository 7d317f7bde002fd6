"""Notifications moved from the `health` app to their own: an existing database keeps its rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ascolto.notifications.models import Notification

BEFORE = [("health", "0003_alter_notification_kind"), ("notifications", None)]
AFTER = [("notifications", "0002_notification_table_rename")]


@pytest.mark.django_db(transaction=True)
def test_rows_of_the_old_table_survive_the_move(alice):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state([BEFORE[0]]).apps
    OldNotification = old_apps.get_model("health", "Notification")
    old = OldNotification.objects.create(
        workspace_id=alice.workspace_id, recipient_id=alice.pk, title="Promessa non mantenuta"
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    moved = Notification.objects.get(pk=old.pk)
    assert moved.title == "Promessa non mantenuta"
    assert moved.recipient_id == alice.pk
    assert Notification._meta.db_table == "notifications_notification"
    assert "health_notification" not in connection.introspection.table_names()


BEFORE_LANGUAGES = [("notifications", "0003_notification_kind_case")]
AFTER_LANGUAGES = [("notifications", "0004_notification_texts_per_language")]


@pytest.mark.django_db(transaction=True)
def test_old_words_move_to_the_column_of_their_workspaces_language(alice, mallory):
    """GIVEN a notification of an Italian workspace and one of an English workspace, stored
    with one title WHEN the texts are split by language THEN each keeps its words in the
    column of its workspace's language, and reads them in either language."""
    mallory.workspace.language = "en"
    mallory.workspace.save()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_LANGUAGES)
    old_apps = executor.loader.project_state(BEFORE_LANGUAGES).apps
    Old = old_apps.get_model("notifications", "Notification")
    italian = Old.objects.create(
        workspace_id=alice.workspace_id, recipient_id=alice.pk, title="Promessa", body="Chiama"
    )
    english = Old.objects.create(
        workspace_id=mallory.workspace_id, recipient_id=mallory.pk, title="Promise", body="Call"
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER_LANGUAGES)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    it = Notification.objects.get(pk=italian.pk)
    en = Notification.objects.get(pk=english.pk)
    assert (it.title_it, it.title_en, it.body_it) == ("Promessa", "", "Chiama")
    assert (en.title_it, en.title_en, en.body_en) == ("", "Promise", "Call")
    from django.utils import translation

    with translation.override("en"):
        assert (it.title, en.title) == ("Promessa", "Promise")
    with translation.override("it"):
        assert (it.title, en.title) == ("Promessa", "Promise")
