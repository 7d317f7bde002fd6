"""`ascolto gdpr export --email E [--phone P] [--workspace ID] --output FILE.zip` and
`ascolto gdpr erase --email E [--phone P] [--workspace ID] [--redact-mentions] [--no-input]`,
`ascolto gdpr retention [--dry-run]` and `ascolto gdpr record --workspace ID`.

For the installation's administrator (docs/privacy.md). A person is found among the customers
by address (any case) or phone number (by its digits). When they are a customer of several
workspaces (several businesses share the installation), `--workspace` names the one whose
request this is. `export` writes a zip (`data.json` and one CSV per table). `erase`
pseudonymises them, prints what it did and the mentions left in other rows' free text
(`--redact-mentions` replaces those too); it asks for confirmation unless `--no-input`.
`retention` removes what each kind's retention period let expire (the daily job's work) and
prints how many rows of each kind; `--dry-run` only counts. `record` prints the workspace's
record of processing activities (Art. 30) as Markdown. `reapply`, after restoring a backup,
erases again everyone the erasure journal names who came back with it (docs/privacy.md).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ascolto.customers.models import Customer
from ascolto.privacy import record, retention, services
from ascolto.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Export or erase everything stored about a person (data-subject requests)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name, help_text in (
            ("export", "Write everything stored about the person to a zip file."),
            ("erase", "Erase the person (pseudonymise; scores and counts stay)."),
        ):
            command = sub.add_parser(name, help=help_text)
            command.add_argument("--email", default="", help="The person's email address.")
            command.add_argument("--phone", default="", help="The person's phone number.")
            command.add_argument("--workspace", type=int, help="Workspace id (if several).")
            if name == "export":
                command.add_argument("--output", required=True, help="The zip file to write.")
            else:
                command.add_argument(
                    "--redact-mentions",
                    action="store_true",
                    help="Also replace the person's name, address and phone in other rows.",
                )
                command.add_argument(
                    "--no-input", action="store_true", help="Do not ask for confirmation."
                )
        keep = sub.add_parser("retention", help="Remove what is older than its retention.")
        keep.add_argument("--dry-run", action="store_true", help="Only count.")
        sub.add_parser(
            "reapply", help="After a restore: erase again whoever the erasure journal names."
        )
        art30 = sub.add_parser("record", help="Print the record of processing activities.")
        art30.add_argument("--workspace", type=int, required=True, help="Workspace id.")

    def _customers(self, options) -> list[Customer]:
        if not options["email"] and not options["phone"]:
            raise CommandError(_("Give --email or --phone."))
        customers = Customer.objects.all()
        if options["workspace"]:
            customers = customers.filter(workspace_id=options["workspace"])
        found = [
            customer
            for workspace_id in customers.order_by()
            .values_list("workspace_id", flat=True)
            .distinct()
            for customer in services.customers_matching(
                workspace=Workspace.objects.get(pk=workspace_id),
                email=options["email"],
                phone=options["phone"],
            )
        ]
        if not found:
            raise CommandError(_("No customer has this address or phone number."))
        workspaces = {customer.workspace_id for customer in found}
        if len(workspaces) > 1:
            raise CommandError(
                _(
                    "This person is a customer of several workspaces (%(ids)s): choose one with --workspace."
                )
                % {"ids": ", ".join(str(pk) for pk in sorted(workspaces))}
            )
        return found

    def handle(self, *args, **options):
        if options["action"] == "retention":
            done = retention.retention_run(dry_run=options["dry_run"])
            for name, count in done.items():
                self.stdout.write(f"{name}: {count}")
            return
        if options["action"] == "reapply":
            return self._reapply()
        if options["action"] == "record":
            workspace = Workspace.objects.filter(pk=options["workspace"]).first()
            if workspace is None:
                raise CommandError(_("No workspace has this id."))
            self.stdout.write(record.processing_record_text(workspace=workspace))
            return
        customers = self._customers(options)
        if options["action"] == "export":
            return self._export(customers, Path(options["output"]))
        return self._erase(customers, options)

    def _export(self, customers: list[Customer], output: Path) -> None:
        if len(customers) > 1:
            raise CommandError(
                _(
                    "%(count)s customers match: give both --email and --phone, or export from the page."
                )
                % {"count": len(customers)}
            )
        customer = customers[0]
        bundle = services.person_export_for_administrator(
            workspace=customer.workspace, customer=customer
        )
        try:
            output.write_bytes(bundle)
        except OSError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(_("Written: %(path)s") % {"path": output})

    def _erase(self, customers: list[Customer], options) -> None:
        if not options["no_input"]:
            answer = input(
                _("Erase %(count)s customer(s)? This cannot be undone. Type yes: ")
                % {"count": len(customers)}
            )
            if answer.strip().lower() not in ("yes", "sì", "si"):
                raise CommandError(_("Nothing erased."))
        for customer in customers:
            mentions = services.person_mentions(workspace=customer.workspace, customer=customer)
            redact = [m.key for m in mentions] if options["redact_mentions"] else []
            result = services.person_erase_for_administrator(
                workspace=customer.workspace, customer=customer, redact=redact
            )
            self.stdout.write(
                _("Erased: now “%(pseudonym)s” (customer %(pk)s).")
                % {"pseudonym": result.pseudonym, "pk": customer.pk}
            )
            for mention in result.mentions_left:
                self.stdout.write(
                    _("Still named in: %(table)s %(pk)s, %(field)s")
                    % {"table": mention.table, "pk": mention.pk, "field": mention.field}
                )

    def _reapply(self) -> None:
        done = services.erasures_reapply()
        erased = [d for d in done if d.outcome == "erased"]
        for item in erased:
            self.stdout.write(
                _(
                    "Erased again: customer %(pk)s of workspace %(ws)s (erased on %(at)s), now “%(pseudonym)s”."
                )
                % {
                    "pk": item.entry.customer,
                    "ws": item.entry.workspace,
                    "at": item.entry.at[:10],
                    "pseudonym": item.pseudonym,
                }
            )
        self.stdout.write(
            _(
                "%(erased)s erased again, %(already)s already erased, %(missing)s not in this database."
            )
            % {
                "erased": len(erased),
                "already": sum(d.outcome == "already erased" for d in done),
                "missing": sum(d.outcome == "not in this database" for d in done),
            }
        )
