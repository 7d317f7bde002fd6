"""`ascolto setup`: start one's own business (see docs/onboarding.md).

In a terminal it asks, one question at a time, with the default in brackets, and then the
owner's password (typed twice, not shown). With `--no-input` every answer comes from the
options, and the owner chooses the password through a one-time link the command prints
(Django's password-reset link: it stops working once used, and after three days).
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ascolto.onboarding import services
from ascolto.onboarding.sectors import Sector
from ascolto.workspaces.models import Language, validate_time_zone


def password_link(user: Any) -> str:
    """A one-time link for `user` to choose a password."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse(
        "workspaces:password-reset-confirm", kwargs={"uidb64": uid, "token": token}
    )


def _check_name(value: str) -> str:
    if not value.strip():
        raise ValidationError("Write the name of the business.")
    return value.strip()


def _check_email(value: str) -> str:
    validate_email(value.strip())
    return value.strip().lower()


def _check_choice(choices: list[str]) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in choices:
            raise ValidationError(f"Choose one of: {', '.join(choices)}.")
        return value

    return check


def _check_zone(value: str) -> str:
    validate_time_zone(value)
    return value


def _check_currency(value: str) -> str:
    value = value.strip().upper()
    if len(value) != 3 or not value.isalpha():
        raise ValidationError("Use a three-letter currency code such as EUR.")
    return value


QUESTIONS: list[tuple[str, str, str | None, Callable[[str], str]]] = [
    ("name", "Name of the business", None, _check_name),
    ("owner_email", "Owner's email", None, _check_email),
    ("language", "Language for customers (it, en)", "it", _check_choice(Language.values)),
    ("timezone", "Time zone", "Europe/Rome", _check_zone),
    ("currency", "Currency", "EUR", _check_currency),
    (
        "sector",
        "Kind of business (" + ", ".join(Sector.values) + ")",
        Sector.OTHER.value,
        _check_choice(Sector.values),
    ),
]


def _messages(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


class Command(BaseCommand):
    help = "Start your own business: a workspace with its owner and the defaults of its sector."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Ask nothing: take every answer from the options.",
        )
        parser.add_argument("--name", help="Name of the business.")
        parser.add_argument("--owner-email", dest="owner_email", help="The owner's email.")
        parser.add_argument("--language", choices=Language.values, help="Default: it.")
        parser.add_argument("--timezone", help="Default: Europe/Rome.")
        parser.add_argument("--currency", help="Default: EUR.")
        parser.add_argument("--sector", choices=Sector.values, help="Default: other.")

    def handle(self, *args: Any, **options: Any) -> None:
        interactive = options["interactive"] and sys.stdin.isatty()
        if options["interactive"] and not interactive:
            raise CommandError(
                "No terminal to ask in: pass --no-input with --name and --owner-email."
            )
        answers = self._answers(options, interactive)
        existing = get_user_model().objects.filter(email__iexact=answers["owner_email"]).exists()
        password = self._ask_password() if interactive and not existing else None
        with transaction.atomic():
            user = services.owner_account(email=answers["owner_email"], password=password)
            try:
                workspace = services.workspace_setup(
                    name=answers["name"],
                    owner=user,
                    sector=answers["sector"],
                    language=answers["language"],
                    time_zone=answers["timezone"],
                    currency=answers["currency"],
                )
            except ValidationError as exc:
                raise CommandError(_messages(exc)) from None
        self.stdout.write(f"Business {workspace.name!r} created (workspace {workspace.pk}).")
        self.stdout.write(f"Owner: {user.email}")
        if not user.has_usable_password():
            self.stdout.write("Choose the owner's password here (the link works once):")
            self.stdout.write(f"  {password_link(user)}")
        elif password is None:
            self.stdout.write("The owner's account already existed: log in with its password.")
        self.stdout.write(f"Then open {settings.SITE_URL}/ to see the first steps.")

    def _answers(self, options: dict[str, Any], interactive: bool) -> dict[str, str]:
        answers: dict[str, str] = {}
        for key, question, default, check in QUESTIONS:
            given = options.get(key)
            if given is not None:
                try:
                    answers[key] = check(given)
                except ValidationError as exc:
                    raise CommandError(f"--{key.replace('_', '-')}: {_messages(exc)}") from None
            elif interactive:
                answers[key] = self._ask(question, default, check)
            elif default is None:
                raise CommandError(f"--{key.replace('_', '-')} is required with --no-input.")
            else:
                answers[key] = default
        return answers

    def _ask(self, question: str, default: str | None, check: Callable[[str], str]) -> str:
        prompt = f"{question}" + (f" [{default}]" if default else "") + ": "
        while True:
            value = input(prompt).strip() or (default or "")
            try:
                return check(value)
            except ValidationError as exc:
                self.stderr.write(_messages(exc))

    def _ask_password(self) -> str:
        while True:
            one = getpass.getpass("Owner's password: ")
            two = getpass.getpass("Password again: ")
            if one != two:
                self.stderr.write("The two passwords differ.")
                continue
            try:
                password_validation.validate_password(one)
            except ValidationError as exc:
                self.stderr.write(_messages(exc))
                continue
            return one
