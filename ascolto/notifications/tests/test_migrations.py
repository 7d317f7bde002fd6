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
