"""The opening hours on the workspace page: owners only, bad input explained, nothing lost."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def _post(client, **overrides):
    data = {f"day_{n}": "9-13, 14-18" for n in range(5)}
    data.update({"day_5": "9-12", "day_6": "", "closed_days": "10/08 - 23/08 ferie"})
    data["public_holidays"] = "on"
    data.update(overrides)
    return client.post("/account/workspace/hours/", data, HTTP_ACCEPT_LANGUAGE="it")


def test_owner_sets_the_hours(alice_client, workspace_a):
    page = alice_client.get("/account/workspace/")
    assert page.status_code == 200 and b'name="day_6"' in page.content
    assert _post(alice_client).status_code == 302
    workspace_a.refresh_from_db()
    assert workspace_a.opening_hours == ["9-13, 14-18"] * 5 + ["9-12", ""]
    assert workspace_a.closed_days == "10/08 - 23/08 ferie"
    assert workspace_a.calendar.is_closed_day(__import__("datetime").date(2027, 8, 15))


def test_bad_hours_are_explained_in_italian_and_nothing_saved(alice_client, workspace_a):
    response = _post(alice_client, day_2="18-9", closed_days="31/02/2026")
    assert response.status_code == 400
    text = response.content.decode()
    assert "chiude prima di aprire" in text
    assert "Riga 1" in text
    workspace_a.refresh_from_db()
    assert workspace_a.opening_hours == ["9-18"] * 5 + ["", ""]
    assert workspace_a.closed_days == ""


def test_managers_and_agents_may_not(bob_client, carol_client, workspace_a):
    assert _post(bob_client).status_code == 403
    assert _post(carol_client).status_code == 403
    workspace_a.refresh_from_db()
    assert workspace_a.closed_days == ""


def test_each_owner_changes_only_their_workspace(mallory_client, workspace_a, workspace_b):
    assert _post(mallory_client).status_code == 302
    workspace_a.refresh_from_db()
    workspace_b.refresh_from_db()
    assert workspace_a.closed_days == "" and workspace_b.closed_days.startswith("10/08")
