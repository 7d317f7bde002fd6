"""`ascolto demo`: load an Italian demo business (see ascolto/demo/ and docs/demo.md).

The data depends only on `--seed` and on the date (today in Europe/Rome, or `--today`).
"""

from __future__ import annotations

import sys
from datetime import date

from django.apps import apps as django_apps
from django.core.management.base import BaseCommand, CommandError
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from tqdm import tqdm

from ascolto.demo import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_CUSTOMERS,
    DEFAULT_PASSWORD,
    DEFAULT_SEED,
    DEFAULT_WORKSPACE_NAME,
    DEFAULT_YEARS,
    DemoOptions,
    demo_generate,
)
from ascolto.demo.workspace import DEMO_MEMBERS, demo_username
from ascolto.workspaces.models import Workspace


def _positive(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


def _day(value: str) -> date:
    return date.fromisoformat(value)


class Command(BaseCommand):
    help = "Create a demo business (Italian equipment rental) with customers and history."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed.")
        parser.add_argument(
            "--customers", type=_positive, default=DEFAULT_CUSTOMERS, help="Number of customers."
        )
        parser.add_argument(
            "--years", type=_positive, default=DEFAULT_YEARS, help="Years of history."
        )
        parser.add_argument(
            "--today",
            type=_day,
            default=None,
            help="Pin the last day of the history (YYYY-MM-DD); default: today in Europe/Rome.",
        )
        parser.add_argument(
            "--password", default=DEFAULT_PASSWORD, help="Password of the demo users."
        )
        parser.add_argument(
            "--workspace-name", default=DEFAULT_WORKSPACE_NAME, help="Name of the business."
        )
        parser.add_argument(
            "--batch-size", type=_positive, default=DEFAULT_BATCH_SIZE, help="Rows per insert."
        )
        parser.add_argument(
            "--workspaces",
            type=_positive,
            default=0,
            help="Instead of the demo business: this many small businesses (50-500 customers "
            "each, bulk-inserted) on one installation.",
        )
        parser.add_argument(
            "--big",
            type=_positive,
            default=0,
            help="With --workspaces: one more workspace of this many customers.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the database already has a workspace.",
        )

    def handle(self, *args, **options):
        if options["years"] < 1:
            raise CommandError(_("--years must be at least 1."))
        if options["batch_size"] < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        if options["if_empty"] and Workspace.objects.exists():
            self.stdout.write(_("A workspace already exists: the demo data was not loaded."))
            self._print_logins(options["password"], existing=True)
            return

        if options["workspaces"]:
            self._tenants(options)
            return

        demo_options = DemoOptions(
            seed=options["seed"],
            customers=options["customers"],
            years=options["years"],
            today=options["today"],
            password=options["password"],
            workspace_name=options["workspace_name"],
            batch_size=options["batch_size"],
        )
        bars: dict[str, tqdm] = {}
        quiet = options["verbosity"] == 0
        labels = {
            "customers": _("Customers"),
            "interactions": _("Interactions"),
            "promise checks": _("Promise checks"),
            "perception": _("Perception answers"),
            "texts": _("Text analysis"),
            "health": _("Health scores"),
        }
        units = {"promise checks": _("interactions"), "texts": _("texts"), "health": _("days")}

        def progress(label: str, advance: int, total: int) -> None:
            bar = bars.get(label)
            if bar is None:
                bar = bars[label] = tqdm(
                    total=total,
                    desc=labels.get(label, label),
                    unit=units.get(label, _("customers")),
                    disable=quiet,
                    file=sys.stderr,
                    dynamic_ncols=True,
                )
            bar.update(advance)
            if bar.n >= total:
                bar.close()

        try:
            result = demo_generate(demo_options, progress=progress)
        finally:
            for bar in bars.values():
                bar.close()

        counts = result.counts
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo workspace “%(name)s” created in %(seconds).1f s.")
                % {"name": result.workspace.name, "seconds": result.seconds}
            )
        )
        for label, key in (
            (_("Customers"), "customer"),
            (_("Contracts"), "contract"),
            (_("Lost customers"), "lostrecord"),
            (_("Interactions"), "interaction"),
            (_("Staff signals"), "staffsignal"),
        ):
            self.stdout.write(f"  {label}: {counts.get(key, 0)}")
        models = {model._meta.model_name: model for model in django_apps.get_models()}
        for key in sorted(
            set(counts) - {"customer", "contract", "lostrecord", "interaction", "staffsignal"}
        ):
            model = models.get(key)
            label = capfirst(model._meta.verbose_name_plural) if model is not None else key
            self.stdout.write(f"  {label}: {counts[key]}")
        self._print_logins(options["password"], existing=False)

    def _tenants(self, options) -> None:
        from ascolto.demo.tenants import tenants_generate

        bars: dict[str, tqdm] = {}

        def progress(label: str, advance: int, total: int) -> None:
            if label not in bars:
                bars[label] = tqdm(
                    total=total,
                    desc=label,
                    disable=options["verbosity"] == 0,
                    file=sys.stderr,
                    dynamic_ncols=True,
                )
            bars[label].update(advance)

        try:
            counts = tenants_generate(
                workspaces=options["workspaces"],
                big=options["big"],
                seed=options["seed"],
                password=options["password"],
                progress=progress,
            )
        finally:
            for bar in bars.values():
                bar.close()
        self.stdout.write(
            self.style.SUCCESS(_("%(workspaces)s workspaces created in %(seconds)s s.") % counts)
        )
        for key in ("customers", "interactions", "responses"):
            self.stdout.write(f"  {key}: {counts[key]}")

    def _print_logins(self, password: str, *, existing: bool) -> None:
        if existing:
            self.stdout.write(
                _("Demo logins (if the demo was loaded earlier, with the password chosen then):")
            )
        else:
            self.stdout.write(_("Demo logins:"))
        for login, role, _first, _last in DEMO_MEMBERS:
            self.stdout.write(f"  {demo_username(login)}  ({role.label})")
        self.stdout.write(_("Password: %(password)s") % {"password": password})
