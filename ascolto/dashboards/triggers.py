"""The database triggers that keep the dashboards' counts, declared in one place.

The dashboards only read, but their daily counts and last-heard moments are written by triggers
on other apps' tables, in the same transaction as the rows they count (docs/dashboards.md). This
table lists every one: its name, the table it fires on, and the migration that first creates it
(the segment copy of `dashboards/0005` replaces two of them). `tests/test_triggers.py` checks it
against the database's catalog after migrating, and checks that no migration changes a table
these triggers fire on or write to without keeping them (`ascolto.lib.dbtriggers.KeepTriggers`).
"""

from __future__ import annotations

RESPONSE = "feedback_response"
INVITATION = "feedback_invitation"
CUSTOMER = "customers_customer"
SEGMENT = "customers_segment"
INTERACTION = "interactions_interaction"

DAILY = "0002_daily_rollups"
LAST_HEARD = "0003_last_heard"
SEGMENTS = "0004_segment_daily_counts"

# trigger name -> (table it fires on, dashboards migration that first creates it)
TRIGGERS: dict[str, tuple[str, str]] = {
    # DailyScore and DailyInvitations: answers and invitations per workspace and UTC day.
    "dashboards_score_insert": (RESPONSE, DAILY),
    "dashboards_score_delete": (RESPONSE, DAILY),
    "dashboards_score_update": (RESPONSE, DAILY),
    "dashboards_invitation_insert": (INVITATION, DAILY),
    "dashboards_invitation_delete": (INVITATION, DAILY),
    "dashboards_invitation_update": (INVITATION, DAILY),
    # LastHeard: each customer's latest answer or interaction, with its status and segment.
    "dashboards_heard_customer_insert": (CUSTOMER, LAST_HEARD),
    "dashboards_heard_customer_update": (CUSTOMER, LAST_HEARD),
    "dashboards_heard_customer_delete": (CUSTOMER, LAST_HEARD),
    "dashboards_heard_interaction_insert": (INTERACTION, LAST_HEARD),
    "dashboards_heard_interaction_delete": (INTERACTION, LAST_HEARD),
    "dashboards_heard_interaction_update": (INTERACTION, LAST_HEARD),
    "dashboards_heard_response_insert": (RESPONSE, LAST_HEARD),
    "dashboards_heard_response_delete": (RESPONSE, LAST_HEARD),
    "dashboards_heard_response_update": (RESPONSE, LAST_HEARD),
    # DailySegmentScore and DailySegmentInvitations: the daily counts per customer segment.
    "dashboards_seg_response_insert": (RESPONSE, SEGMENTS),
    "dashboards_seg_response_delete": (RESPONSE, SEGMENTS),
    "dashboards_seg_response_update": (RESPONSE, SEGMENTS),
    "dashboards_seg_invitation_insert": (INVITATION, SEGMENTS),
    "dashboards_seg_invitation_delete": (INVITATION, SEGMENTS),
    "dashboards_seg_invitation_update": (INVITATION, SEGMENTS),
    "dashboards_seg_customer_update": (CUSTOMER, SEGMENTS),
    "dashboards_seg_customer_delete": (CUSTOMER, SEGMENTS),
    "dashboards_seg_segment_delete": (SEGMENT, SEGMENTS),
}
