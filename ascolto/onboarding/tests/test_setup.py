"""Starting one's own business: `ascolto setup`, the first-run page, "new business"."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from ascolto.customers.models import Customer
from ascolto.feedback.models import CadenceRule, Question, Survey
from ascolto.interactions.models import Touchpoint
from ascolto.onboarding import services
from ascolto.onboarding.models import Onboarding
from ascolto.onboarding.sectors import SECTORS, Sector
from ascolto.promises.models import Promise
from ascolto.workspaces.models import Membership, Role, Workspace

pytestmark = pytest.mark.django_db


def _setup(*args: str) -> str:
    out = io.StringIO()
    call_command("setup", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("sector", Sector.values)
def test_every_sector_starts_with_its_defaults(sector):
    owner = services.owner_account(email="Titolare@Esempio.it", password="una-password-lunga")
    workspace = services.workspace_setup(name="Bottega Verdi", owner=owner, sector=sector)

    defaults = SECTORS[sector]
    assert Membership.objects.get(workspace=workspace).role == Role.OWNER
    assert Onboarding.objects.get(workspace=workspace).sector == sector
    codes = set(Touchpoint.objects.filter(workspace=workspace).values_list("code", flat=True))
    assert {"richiesta", "reclamo"} <= codes  # the general ones
    assert {code for code, *_ in defaults.touchpoints} <= codes
    promises = Promise.objects.filter(workspace=workspace)
    assert promises.count() == len(defaults.promises) >= 2
    assert all(p.wording_it and p.wording_en and p.active for p in promises)
    survey = Survey.objects.get(workspace=workspace)
    assert survey.kind == Survey.Kind.NPS
    assert Question.objects.filter(survey=survey, role=Question.Role.MAIN).exists()
    rule = CadenceRule.objects.get(workspace=workspace)
    assert rule.survey == survey and rule.active
    assert (rule.every_days, rule.fatigue_days) == (defaults.every_days, defaults.fatigue_days)
    assert rule.customer_kind == Customer.Kind.EXTERNAL


def test_durations_are_stored_in_minutes_in_business_hours_where_said():
    owner = services.owner_account(email="t@esempio.it", password="una-password-lunga")
    workspace = services.workspace_setup(name="Linea Srl", owner=owner, sector=Sector.TELECOM)
    fault = Promise.objects.get(workspace=workspace, touchpoint__code="guasto")
    assert fault.limit == 24 * 60 and not fault.business_hours
    activation = Promise.objects.get(workspace=workspace, touchpoint__code="attivazione")
    assert activation.limit == 90 * 60 and activation.business_hours


def test_english_business_gets_english_names():
    owner = services.owner_account(email="t@example.com", password="a-long-password-1")
    workspace = services.workspace_setup(
        name="Corner Shop", owner=owner, sector=Sector.RETAIL, language="en"
    )
    assert Survey.objects.get(workspace=workspace).name == "How are we doing? (NPS)"
    assert CadenceRule.objects.get(workspace=workspace).name == "Every customer, every 180 days"


def test_italian_business_gets_italian_names():
    owner = services.owner_account(email="t@esempio.it", password="una-password-lunga")
    workspace = services.workspace_setup(name="Negozio", owner=owner, sector=Sector.RETAIL)
    assert Survey.objects.get(workspace=workspace).name == "Come stiamo andando? (NPS)"


def test_a_bad_sector_creates_nothing():
    owner = services.owner_account(email="t@esempio.it", password="una-password-lunga")
    with pytest.raises(Exception, match="Choose the kind of business|Scegli"):
        services.workspace_setup(name="X", owner=owner, sector="bakery")
    assert not Workspace.objects.exists()


def test_setup_without_input_prints_a_one_time_password_link(client):
    """GIVEN a fresh install
    WHEN `ascolto setup --no-input` runs with the business's answers
    THEN the workspace exists with its owner, who has no password yet, and the printed link
    lets them choose one, once."""
    out = _setup(
        "--no-input",
        "--name",
        "Studio Bianchi",
        "--owner-email",
        "Anna@Studio.IT",
        "--language",
        "it",
        "--timezone",
        "Europe/Rome",
        "--currency",
        "eur",
        "--sector",
        "studio",
    )
    workspace = Workspace.objects.get(name="Studio Bianchi")
    assert workspace.currency == "EUR"
    user = get_user_model().objects.get(email="anna@studio.it")
    assert not user.has_usable_password()
    assert workspace.memberships.get().user == user
    link = re.search(r"https?://\S+", out.split("Choose the owner's password")[1]).group(0)
    path = urlsplit(link).path
    form = client.get(path, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0] if form.redirect_chain else path
    done = client.post(
        set_url, {"new_password1": "giardino-fiorito-42", "new_password2": "giardino-fiorito-42"}
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("giardino-fiorito-42")
    again = Client().get(path, follow=True)
    assert b"new_password1" not in again.content  # the link worked once


def test_setup_without_input_needs_the_name_and_the_email():
    with pytest.raises(CommandError, match="--owner-email is required"):
        _setup("--no-input", "--name", "X")
    with pytest.raises(CommandError, match="--timezone"):
        _setup("--no-input", "--name", "X", "--owner-email", "a@b.it", "--timezone", "Mars/Base")
    assert not Workspace.objects.exists()
    assert not get_user_model().objects.exists()


def test_setup_for_an_existing_account_keeps_its_password(alice):
    alice.user.set_password("vecchia-password-1")
    alice.user.save()
    out = _setup("--no-input", "--name", "Seconda", "--owner-email", alice.user.email.upper())
    assert "already existed" in out
    alice.user.refresh_from_db()
    assert alice.user.check_password("vecchia-password-1")
    assert Workspace.objects.get(name="Seconda").memberships.get().user == alice.user


def test_interactive_setup_asks_and_prompts_for_the_password(monkeypatch):
    """In a terminal every question is asked, with its default, and a bad answer again."""
    answers = iter(
        ["", "Pizzeria Da Gino", "gino@pizza.it", "", "", "", "ristorante", "hospitality"]
    )
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    passwords = iter(["corta", "corta", "margherita-bianca-9", "margherita-bianca-9"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(passwords))
    err = io.StringIO()
    out = io.StringIO()
    call_command("setup", stdout=out, stderr=err)
    workspace = Workspace.objects.get(name="Pizzeria Da Gino")
    assert workspace.onboarding.sector == Sector.HOSPITALITY
    assert "Choose one of" in err.getvalue()
    user = get_user_model().objects.get(email="gino@pizza.it")
    assert user.check_password("margherita-bianca-9")
    assert "one-time" not in out.getvalue()


def test_first_run_page_creates_the_owner_and_the_business(client):
    assert client.get("/").url == "/start/"
    page = client.get("/start/")
    assert page.status_code == 200
    response = client.post(
        "/start/",
        {
            "business-name": "Ferramenta Neri",
            "business-sector": "retail",
            "business-language": "it",
            "business-time_zone": "Europe/Rome",
            "business-currency": "EUR",
            "owner-first_name": "Luca",
            "owner-email": "luca@neri.it",
            "owner-password1": "chiave-inglese-77",
            "owner-password2": "chiave-inglese-77",
        },
    )
    assert response.status_code == 302
    workspace = Workspace.objects.get(name="Ferramenta Neri")
    assert workspace.memberships.get().user.email == "luca@neri.it"
    home = client.get("/")
    assert home.status_code == 200
    assert b'data-step="customers"' in home.content
    # now that an account exists the page is gone
    assert Client().get("/start/").status_code == 404


def test_first_run_page_bad_input_says_why_and_saves_nothing(client):
    response = client.post(
        "/start/",
        {
            "business-name": "  ",
            "business-sector": "bakery",
            "business-language": "it",
            "business-time_zone": "Europe/Rome",
            "business-currency": "EURO",
            "owner-first_name": "Luca",
            "owner-email": "luca@neri.it",
            "owner-password1": "chiave-inglese-77",
            "owner-password2": "chiave-inglese-78",
        },
        HTTP_ACCEPT_LANGUAGE="it",
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Le due password sono diverse." in text
    assert "Usare un codice valuta di tre lettere" in text
    assert not Workspace.objects.exists()
    assert not get_user_model().objects.exists()


def test_first_run_page_is_gone_once_an_account_exists(alice):
    assert Client().get("/start/").status_code == 404
    assert Client().post("/start/", {"business-name": "X"}).status_code == 404
    assert not Workspace.objects.filter(name="X").exists()


def test_a_signed_in_user_without_a_workspace_starts_one(client):
    user = get_user_model().objects.create_user("solo@esempio.it", "solo@esempio.it", "pw")
    client.force_login(user)
    assert client.get("/").url == "/start/new/"
    response = client.post(
        "/start/new/",
        {
            "name": "Bar Sport",
            "sector": "hospitality",
            "language": "it",
            "time_zone": "Europe/Rome",
            "currency": "EUR",
        },
    )
    assert response.status_code == 302
    assert Workspace.objects.get(name="Bar Sport").memberships.get().user == user
    assert client.get("/customers/").status_code == 200


def test_a_member_starts_a_second_business_and_switches_to_it(alice_client, alice):
    response = alice_client.post(
        "/start/new/",
        {
            "name": "Seconda Sede",
            "sector": "rental",
            "language": "en",
            "time_zone": "Europe/Rome",
            "currency": "EUR",
        },
    )
    assert response.status_code == 302
    second = Workspace.objects.get(name="Seconda Sede")
    assert alice_client.session["ascolto_workspace_id"] == second.pk
    assert Membership.objects.filter(user=alice.user).count() == 2


def test_new_business_needs_a_login(client):
    response = client.get("/start/new/")
    assert response.status_code == 302 and "/login/" in response.url
