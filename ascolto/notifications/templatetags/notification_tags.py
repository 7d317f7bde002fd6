"""The unread count in the navigation of every page (`base.html`)."""

from __future__ import annotations

from typing import Any

from django import template

from ascolto.notifications.selectors import notification_unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: dict[str, Any]) -> int:
    """How many of the current member's notifications are unread (0 without a member): one
    `COUNT` on the recipient's index, only on pages that show the navigation."""
    member = context.get("current_member")
    if member is None:
        return 0
    return notification_unread_count(workspace=member.workspace, member=member)
