"""The navigation of every page shows how many of the member's notifications are unread."""

import re

import pytest
from django.urls import reverse

from ascolto.notifications.services import notification_create

pytestmark = pytest.mark.django_db


def _badge(client) -> str | None:
    """The unread count shown next to "Notifiche" in the navigation, or None."""
    page = client.get(reverse("customers:customer-list"), HTTP_ACCEPT_LANGUAGE="it").content
    found = re.search(
        r'class="badge badge-unread"><span aria-hidden="true">(\d+)</span>'
        r'<span class="visually-hidden">([^<]+)</span>',
        page.decode(),
    )
    return None if found is None else f"{found[1]} / {found[2]}"


def _notify(recipient, n: int) -> None:
    for i in range(n):
        notification_create(
            workspace=recipient.workspace, recipient=recipient, kind="detractor",
            title=f"Avviso {i}", email=False,
        )  # fmt: skip


def test_the_badge_counts_only_the_members_own_unread_notifications(
    alice, bob, mallory, alice_client, bob_client, mallory_client
):
    """GIVEN two unread notifications for alice, one for bob and three for mallory (another
    workspace) WHEN each loads a page THEN each sees their own count, in words for screen
    readers too; alice's disappears once she has read them all."""
    _notify(alice, 2)
    _notify(bob, 1)
    _notify(mallory, 3)
    assert _badge(alice_client) == "2 / 2 non lette"
    assert _badge(bob_client) == "1 / 1 non letta"
    assert _badge(mallory_client) == "3 / 3 non lette"
    alice_client.post(reverse("notifications:notification-read-all"))
    assert _badge(alice_client) is None
    assert _badge(bob_client) == "1 / 1 non letta"
