"""The writing services of notifications, called directly as the wrong member: refused,
nothing changed. A member only ever marks their own notifications."""

from __future__ import annotations

import pytest

from ascolto.notifications import services
from ascolto.notifications.models import Notification
from ascolto.workspaces.tests.guards import assert_refused


@pytest.fixture
def notes(workspace_a, workspace_b, alice, bob, mallory):
    def note(workspace, recipient):
        return services.notification_create(
            workspace=workspace,
            recipient=recipient,
            kind="broken_promise",
            title="Promessa non mantenuta",
            email=False,
        )

    return {"alice": note(workspace_a, alice), "bob": note(workspace_a, bob)}, note(
        workspace_b, mallory
    )


def test_mark_read_is_for_the_recipient_only(notes, alice, bob, carol, mallory):
    mine, _theirs = notes
    for member in (bob, carol, mallory, None):  # someone else's, another workspace's, nobody
        assert_refused(lambda member=member: services.notification_mark_read(
            notification=mine["alice"], by=member
        ))  # fmt: skip
    services.notification_mark_read(notification=mine["alice"], by=alice)
    assert Notification.objects.get(pk=mine["alice"].pk).read_at is not None


def test_mark_all_read_touches_only_the_members_own(notes, bob, mallory):
    mine, theirs = notes
    assert_refused(lambda: services.notifications_mark_all_read(by=None))
    assert services.notifications_mark_all_read(by=mallory) == 1
    assert (
        Notification.objects.filter(workspace=mine["alice"].workspace_id, read_at=None).count() == 2
    )
    assert services.notifications_mark_all_read(by=bob) == 1
    unread = Notification.objects.filter(read_at=None).values_list("pk", flat=True)
    assert list(unread) == [mine["alice"].pk]
    assert Notification.objects.get(pk=theirs.pk).read_at is not None
