"""The stored score computed in the database, against a hand count; no leakage from the
future; alerts once per change, grouped; workspaces kept apart. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ascolto.customers.tests.factories import ContractFactory, CustomerFactory
from ascolto.health.models import HealthAlert, HealthScore
from ascolto.health.services import health_scores_as_of, health_scores_compute
from ascolto.health.tests import fixtures as f
from ascolto.notifications.models import Notification

NOW = datetime(2026, 6, 15, 10, tzinfo=UTC)


def days_ago(n: float) -> datetime:
    return NOW - timedelta(days=n)


@pytest.fixture
def world(workspace_a, alice):
    """GIVEN three customers of workspace A, created a year ago:
    - anna: promoter 20 days ago (9 before that), interactions, every promise kept;
    - bruno: 9 then 5 (a drop of 4, detractor), 2 broken promises, an open crisis,
      two angry texts, two negative staff signals, a complaint, renewal in 20 days;
    - carla: nothing at all since she was created (silence only: not enough data)."""
    created = days_ago(365)
    anna = CustomerFactory(workspace=workspace_a, name="Anna", created_at=created)
    bruno = CustomerFactory(
        workspace=workspace_a, name="Bruno", created_at=created, account_owner=alice
    )
    carla = CustomerFactory(workspace=workspace_a, name="Carla", created_at=created)
    p = f.promise(workspace_a)
    f.nps(anna, 9, days_ago(100))
    f.nps(anna, 10, days_ago(20))
    f.check(p, anna, days_ago(30), "kept")
    f.nps(bruno, 9, days_ago(80))
    f.nps(bruno, 5, days_ago(3))
    broken = f.check(p, bruno, days_ago(20))
    f.check(p, bruno, days_ago(10))
    f.crisis(broken, days_ago(20))
    f.text(bruno, days_ago(3), "negative", "anger")
    f.text(bruno, days_ago(2), "negative", "anger")
    f.signal(bruno, days_ago(5))
    f.signal(bruno, days_ago(2))
    f.interaction(bruno, days_ago(4), code="reclamo", text="Voglio la disdetta del contratto")
    ContractFactory(customer=bruno, start_date=date(2025, 6, 1), renewal_date=date(2026, 7, 5))
    return anna, bruno, carla


def by_customer(workspace):
    return {s.customer.name: s for s in HealthScore.objects.for_workspace(workspace)}


def test_scores_match_a_hand_count(world, workspace_a):
    stored = health_scores_compute(workspace=workspace_a, now=NOW)
    assert stored == 3
    scores = by_customer(workspace_a)
    anna, bruno, carla = scores["Anna"], scores["Bruno"], scores["Carla"]
    # Anna: every measure with data healthy (feedback, trend, silence, promises, complaints,
    # words against deeds: a promoter whose deeds hold, tenure: a year): 100.
    assert anna.score == 100 and anna.level == "healthy"
    assert set(anna.missing) == {"voice", "staff", "renewal", "cases", "payments", "rhythm"}
    # Bruno has no case, no payment on record, and says nothing is fine (cases, payments and
    # words against deeds are left out: 80 points have data). Heard from 4 days ago (silence
    # healthy), three contacts in 16 days and the last 4 days ago (his own rhythm healthy), a
    # customer for a year (tenure healthy), one complaint (concerning: loses 2.5 of 5), every
    # other measure poor: 58.5 of 80 points lost, 73.125 of 100, 73 in whole points (largest
    # remainder: feedback 18.75 -> 19, staff 8.75 -> 9, promises 12.5 stays 12, complaints
    # 3.125 stays 3): score 27.
    assert bruno.score == 27 and bruno.level == "at_risk"
    assert {"cases", "payments", "deeds"} <= set(bruno.missing)
    losses = {c["measure"]: c["points"] for c in bruno.contributions}
    assert sum(losses.values()) == 73
    assert losses == {
        "feedback": 19,
        "trend": 10,
        "silence": 0,
        "promises": 12,
        "voice": 10,
        "staff": 9,
        "complaints": 3,
        "renewal": 10,
        "rhythm": 0,
        "tenure": 0,
    }
    assert set(bruno.flags) == {
        "complaint",
        "detractor",
        "broken_twice",
        "staff_negative",
        "leaving_words",
    }
    # Carla: only silence and tenure (13 of 100) have data: not enough.
    assert carla.score is None and carla.level == "unknown"
    assert anna.day == date(2026, 6, 15)


def test_running_again_the_same_day_replaces_the_row(world, workspace_a):
    health_scores_compute(workspace=workspace_a, now=NOW)
    health_scores_compute(workspace=workspace_a, now=NOW + timedelta(hours=2))
    assert HealthScore.objects.for_workspace(workspace_a).count() == 3


def test_a_score_as_of_a_date_ignores_every_later_event(world, workspace_a):
    anna, bruno, _carla = world

    def snapshot():
        return {
            row["pk"]: (s.score, s.level, [c.as_json() for c in s.contributions], s.flags)
            for row, s in health_scores_as_of(workspace=workspace_a, at=days_ago(15))
        }

    before = snapshot()
    # WHEN events happen after the cut-off (and one exactly a second after it)
    later = days_ago(15) + timedelta(seconds=1)
    f.nps(anna, 0, later)
    f.signal(anna, later)
    f.text(anna, later, "negative", "anger")
    f.interaction(anna, later, code="reclamo", text="disdetta")
    f.check(f.promise(workspace_a), anna, later)
    ContractFactory(customer=anna, start_date=date(2026, 6, 14), renewal_date=date(2026, 7, 1))
    # (the measures added later: payments, their own rhythm, words against deeds, tenure)
    f.interaction(anna, later, code="pagamento-mancato")
    f.interaction(anna, later + timedelta(hours=1), code="pagamento")
    f.interaction(bruno, later, code="pagamento-mancato")
    ContractFactory(
        customer=bruno,
        start_date=date(2026, 6, 1),  # a cheaper contract starting after the cut-off
        renewal_date=date(2027, 6, 1),
        yearly_value=1,
    )
    # THEN the score as of the cut-off is the same
    assert snapshot() == before


def test_a_lost_customer_is_scored_until_the_day_they_left(world, workspace_a):
    from ascolto.customers.tests.factories import LostRecordFactory

    _anna, bruno, _carla = world
    LostRecordFactory(customer=bruno, lost_on=date(2026, 6, 1))
    ids = {row["pk"] for row, _s in health_scores_as_of(workspace=workspace_a, at=days_ago(20))}
    assert bruno.pk in ids
    ids = {row["pk"] for row, _s in health_scores_as_of(workspace=workspace_a, at=days_ago(5))}
    assert bruno.pk not in ids


def test_an_alert_once_per_fall_grouped_per_recipient(world, workspace_a, alice):
    anna, bruno, _carla = world
    anna.account_owner = alice
    anna.save()
    yesterday = NOW - timedelta(days=1)
    health_scores_compute(workspace=workspace_a, now=yesterday)
    assert not HealthAlert.objects.exists()
    # WHEN both fall: Anna gets a complaint twice and a detractor answer
    f.nps(anna, 2, NOW - timedelta(hours=2))
    f.interaction(anna, NOW - timedelta(hours=3), code="reclamo")
    f.interaction(anna, NOW - timedelta(hours=4), code="errore")
    HealthScore.objects.filter(customer=bruno).update(level="healthy", score=90)
    health_scores_compute(workspace=workspace_a, now=NOW)
    health_scores_compute(workspace=workspace_a, now=NOW + timedelta(hours=1))
    # THEN one alert per customer, and one notification for alice naming both
    assert HealthAlert.objects.filter(workspace=workspace_a).count() == 2
    notes = Notification.objects.filter(recipient=alice)
    assert notes.count() == 1
    assert "Anna" in notes.get().body_it and "Bruno" in notes.get().body_it
    # AND the next day, still at the same level, nothing new
    health_scores_compute(workspace=workspace_a, now=NOW + timedelta(days=1))
    assert HealthAlert.objects.filter(workspace=workspace_a).count() == 2
    assert Notification.objects.filter(recipient=alice).count() == 1


def test_workspaces_are_kept_apart(world, workspace_a, workspace_b, mallory):
    other = CustomerFactory(workspace=workspace_b, name="Zeta", created_at=days_ago(300))
    f.nps(other, 10, days_ago(2))
    health_scores_compute(workspace=workspace_b, now=NOW)
    assert set(by_customer(workspace_b)) == {"Zeta"}
    assert not HealthScore.objects.for_workspace(workspace_a).exists()
    health_scores_compute(workspace=workspace_a, now=NOW)
    assert set(by_customer(workspace_a)) == {"Anna", "Bruno", "Carla"}
    # Alerts stay in their workspace too: B's customer falls, only B's owner hears of it.
    f.nps(other, 0, NOW + timedelta(hours=1))
    f.interaction(other, NOW + timedelta(hours=2), code="reclamo")
    f.interaction(other, NOW + timedelta(hours=3), code="errore")
    health_scores_compute(workspace=workspace_b, now=NOW + timedelta(days=1))
    health_scores_compute(workspace=workspace_a, now=NOW + timedelta(days=1))
    from ascolto.health.models import HealthFlagAlert

    assert HealthAlert.objects.filter(workspace=workspace_b).count() == 1
    assert not HealthAlert.objects.filter(workspace=workspace_a, customer=other).exists()
    assert not HealthFlagAlert.objects.filter(workspace=workspace_a, customer=other).exists()
    notes = Notification.objects.filter(body_it__contains="Zeta")
    assert notes.exists() and set(notes.values_list("workspace", flat=True)) == {workspace_b.pk}
    assert (
        not Notification.objects.filter(recipient=mallory).exclude(workspace=workspace_b).exists()
    )


def test_open_cases_and_missed_deadlines_count(world, workspace_a, alice):
    """A case opened through the cases service counts while open; a missed deadline in the
    window makes an open case poor; a resolved case with a missed deadline stays concerning."""
    from ascolto.cases.models import Case, SlaAlert
    from ascolto.cases.tests.factories import open_case

    anna, _bruno, _carla = world
    case = open_case(anna, alice)
    Case.objects.filter(pk=case.pk).update(opened_at=days_ago(6))

    def anna_cases(now):
        health_scores_compute(workspace=workspace_a, now=now)
        score = HealthScore.objects.get(customer=anna, day=now.date())
        return {c["measure"]: c["band"] for c in score.contributions}.get("cases")

    assert anna_cases(NOW) == "concerning"
    SlaAlert.objects.create(
        workspace=workspace_a,
        case=case,
        clock="respond",
        level="breach",
        due_at=days_ago(5),
        created_at=days_ago(5),
    )
    assert anna_cases(NOW) == "poor"
    Case.objects.filter(pk=case.pk).update(status="resolved", resolved_at=days_ago(1))
    assert anna_cases(NOW) == "concerning"
    # As of before the case was opened there was no case at all: no data.
    health_scores_compute(workspace=workspace_a, now=days_ago(7))
    assert "cases" in HealthScore.objects.get(customer=anna, day=days_ago(7).date()).missing


def test_a_new_risk_indicator_alerts_once_whatever_the_score(workspace_a, alice):
    """
    GIVEN a healthy customer scored yesterday
    WHEN a missed payment and a cancellation note arrive today, and the score runs twice
    THEN alice gets one notification naming both indicators, kept as two indicator alerts;
         the next day, with the indicators still there, nothing new; a detractor answer alone
         raises no indicator alert (the survey already notifies it).
    """
    from ascolto.health.models import HealthFlagAlert

    c = CustomerFactory(
        workspace=workspace_a, name="Dora", created_at=days_ago(400), account_owner=alice
    )
    f.nps(c, 10, days_ago(20))
    f.interaction(c, days_ago(10))
    health_scores_compute(workspace=workspace_a, now=NOW - timedelta(days=1))
    f.interaction(c, NOW - timedelta(hours=3), code="pagamento-mancato")
    f.interaction(c, NOW - timedelta(hours=2), text="Valutiamo la disdetta del contratto")
    health_scores_compute(workspace=workspace_a, now=NOW)
    health_scores_compute(workspace=workspace_a, now=NOW + timedelta(hours=1))
    assert set(HealthFlagAlert.objects.values_list("flag", flat=True)) == {
        "missed_payment",
        "leaving_words",
    }
    note = Notification.objects.get(recipient=alice)
    assert "Dora" in note.title
    health_scores_compute(workspace=workspace_a, now=NOW + timedelta(days=1))
    assert HealthFlagAlert.objects.count() == 2
    assert Notification.objects.filter(recipient=alice).count() == 1
    f.nps(c, 2, NOW + timedelta(days=1, hours=2))
    health_scores_compute(workspace=workspace_a, now=NOW + timedelta(days=1, hours=3))
    assert HealthFlagAlert.objects.count() == 2


@pytest.mark.django_db
def test_signal_values_reads_every_row_in_whole_chunks(workspace_a):
    """The nightly job writes between chunks: each chunk is read whole (no statement left open,
    whose snapshot SQLite would refuse to turn into a write), all rows once, by id."""
    from ascolto.customers.models import Customer
    from ascolto.customers.tests.factories import CustomerFactory
    from ascolto.health import signals as health_signals

    made = [CustomerFactory(workspace=workspace_a).pk for _ in range(5)]
    rows = Customer.objects.filter(workspace=workspace_a)
    values = health_signals.signal_values(rows, chunk=2)
    first = next(values)
    # The first chunk is in hand: a write now is not inside an open read.
    Customer.objects.filter(pk=made[4]).update(name="Scritto in mezzo")
    assert [first["pk"], *(row["pk"] for row in values)] == sorted(made)


def test_a_customer_who_falls_into_the_poor_band_joins_the_work_queue_once(
    world, workspace_a, alice
):
    """
    GIVEN Anna scored healthy yesterday, her account owner alice
    WHEN she falls to at risk or critical today and the score runs three times, then the next day
    THEN one "call back" case for her, in alice's queue, with the reasons in words; it does not
         count against her own "open cases" measure; a customer already in the poor band
         yesterday (Bruno, critical both days) gets none.
    """
    from ascolto.cases.models import Case
    from ascolto.cases.selectors import case_queue

    anna, bruno, _carla = world
    anna.account_owner = alice
    anna.save()
    health_scores_compute(workspace=workspace_a, now=NOW - timedelta(days=1))
    f.nps(anna, 2, NOW - timedelta(hours=2))
    f.interaction(anna, NOW - timedelta(hours=3), code="reclamo", text="Rotto di nuovo")
    f.interaction(anna, NOW - timedelta(hours=4), code="errore")
    f.signal(anna, NOW - timedelta(hours=5))
    f.signal(anna, NOW - timedelta(hours=6))
    for now in (NOW, NOW + timedelta(hours=1), NOW + timedelta(days=1)):
        health_scores_compute(workspace=workspace_a, now=now)
    score = HealthScore.objects.get(customer=anna, day=NOW.date())
    assert score.level in ("at_risk", "critical")
    risk = Case.objects.filter(customer=anna, source_key__startswith="health:")
    assert risk.count() == 1
    case = risk.get()
    assert case.category.code == "richiamare" and case.owner == alice
    assert "Ultimo voto di raccomandazione: 2 su 10." in case.description
    assert case in case_queue(workspace=workspace_a, member=alice, scope="mine")
    assert not Case.objects.filter(customer=bruno, source_key__startswith="health:").exists()
    # The risk case is not one of the customer's problems: "open cases" counts only the
    # complaint's own case.
    opened = Case.objects.filter(customer=anna).exclude(source_key__startswith="health:").count()
    next_day = HealthScore.objects.get(customer=anna, day=(NOW + timedelta(days=1)).date())
    cases_band = {c["measure"]: c["params"] for c in next_day.contributions}.get("cases", {})
    assert cases_band.get("open", 0) == opened


def test_the_grouped_signals_equal_the_per_customer_subqueries(world, workspace_a, alice):
    """The nightly batch reads the signals with one grouped statement per table
    (`signal_table`); the per-customer subqueries (`signal_rows`) say what each signal means.
    Both give the same rows, for the whole workspace and for one customer, as of two moments,
    with every kind of event present (answers, checks, a crisis, texts, signals, complaints,
    payments, contracts, a case with a missed deadline, the score's own call-back case)."""
    from ascolto.cases.models import Case, SlaAlert
    from ascolto.cases.tests.factories import open_case
    from ascolto.health import signals

    anna, bruno, carla = world
    f.interaction(anna, days_ago(40), code="pagamento")
    f.interaction(anna, days_ago(10), code="pagamento-mancato")
    f.interaction(anna, days_ago(120), code="pagamento-mancato")
    f.signal(anna, days_ago(3), polarity="positive", text="Tutto bene, dice")
    f.nps(carla, 9, days_ago(50), all_good=True)
    ContractFactory(customer=anna, start_date=date(2024, 1, 1), renewal_date=date(2025, 1, 1))
    ContractFactory(
        customer=anna, start_date=date(2025, 1, 1), renewal_date=date(2026, 12, 31), yearly_value=5
    )
    case = open_case(bruno, alice)
    Case.objects.filter(pk=case.pk).update(opened_at=days_ago(6))
    SlaAlert.objects.create(
        workspace=workspace_a,
        case=case,
        clock="respond",
        level="breach",
        due_at=days_ago(5),
        created_at=days_ago(5),
    )
    risk = open_case(anna, alice)
    Case.objects.filter(pk=risk.pk).update(opened_at=days_ago(2), source_key="health:1:x")
    for at in (NOW, days_ago(30)):
        by_subqueries = list(
            signals.signal_values(signals.signal_rows(workspace=workspace_a, at=at))
        )
        grouped = list(signals.signal_table(workspace=workspace_a, at=at))
        assert grouped == by_subqueries
        assert any(r["cases_open"] for r in grouped) or at != NOW
        one = signals.customers_as_of(workspace=workspace_a, at=at).filter(pk=bruno.pk)
        assert list(signals.signal_table(workspace=workspace_a, at=at, customers=one)) == [
            r for r in by_subqueries if r["pk"] == bruno.pk
        ]
