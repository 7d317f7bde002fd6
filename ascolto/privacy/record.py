"""The record of processing activities (GDPR Art. 30(1)) of a workspace, generated from what
the installation is configured to do: who the controller is, what data about whom (from the
inventory of every column, `inventory.py`), to whom it goes (the mail server), how long it is
kept (the retention settings) and how it is protected (the security settings). The business
completes it where only it knows (its contact details, its hosting); Ascolto keeps the part it
knows true."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ascolto.privacy import inventory, retention
from ascolto.privacy.inventory import Kind
from ascolto.workspaces.models import Membership, Role, Workspace


@dataclass(frozen=True)
class Section:
    title: str
    lines: list[str]


def _fields(*kinds: Kind) -> list[str]:
    """'Customer: name, email, phone' lines for the fields of these kinds, by model."""
    by_model: dict[str, list[str]] = {}
    for label, name in inventory.fields_of_kind(*kinds):
        model = apps.get_model(label)
        if not model.__module__.startswith("ascolto."):
            continue
        verbose = str(model._meta.verbose_name).capitalize()
        by_model.setdefault(verbose, []).append(str(model._meta.get_field(name).verbose_name))
    return [f"{model}: {', '.join(names)}" for model, names in sorted(by_model.items())]


def _recipients() -> list[str]:
    backend = settings.EMAIL_BACKEND
    if backend.endswith("smtp.EmailBackend"):
        return [
            _(
                "The mail server %(host)s:%(port)s, which delivers surveys to customers and "
                "alerts to staff."
            )
            % {"host": settings.EMAIL_HOST, "port": settings.EMAIL_PORT}
        ]
    return [
        _("No mail server: emails are kept in files on this server (%(backend)s).")
        % {"backend": backend.rsplit(".", 2)[-2]}
    ]


def _retention_lines() -> list[str]:
    months = retention.retention_months()
    lines = []
    for kind in retention.KINDS:
        count = months[kind.name]
        if count > 0:
            period = ngettext("%(count)s month", "%(count)s months", count) % {"count": count}
        else:
            period = _("kept until erased on request")
        lines.append(f"{kind.label}: {period} ({kind.what_happens})")
    lines.append(
        _("Everything about one customer: erased on request (Privacy page, `ascolto gdpr erase`).")
    )
    return lines


def _security_lines() -> list[str]:
    https = getattr(settings, "HTTPS", False)
    return [
        _("Encrypted connections (HTTPS) required: %(answer)s")
        % {"answer": _("yes") if https else _("no")},
        _("Passwords stored with %(hasher)s; sign-in locked after %(limit)s failures.")
        % {
            "hasher": settings.PASSWORD_HASHERS[0].rsplit(".", 1)[-1].replace("PasswordHasher", ""),
            "limit": getattr(settings, "AXES_FAILURE_LIMIT", "-"),
        },
        _("Links in emails are random tokens stored only as hashes."),
        _("Each business sees only its own data; every query is limited to its workspace."),
        _(
            "Roles (owner, manager, agent) limit who exports and who erases; an audit log records sign-ins, refusals, exports and erasures."
        ),
        _("Self-hosted: no data is sent to other services, no page loads anything from elsewhere."),
    ]


def processing_record(*, workspace: Workspace) -> list[Section]:
    owners = Membership.objects.filter(workspace=workspace, role=Role.OWNER).select_related("user")
    return [
        Section(
            _("Controller"),
            [workspace.name]
            + [
                _("Owner: %(name)s <%(email)s>") % {"name": m.display_name, "email": m.user.email}
                for m in owners
            ]
            + [_("To complete: address, VAT number, data protection officer if any.")],
        ),
        Section(
            _("Purposes"),
            [
                _("Listening to customers: surveys, their answers and comments."),
                _(
                    "Keeping promises: recording interactions and checking them against what was promised."
                ),
                _("Looking after the relationship: alerts, follow-up, why customers leave."),
                _("Legal basis to complete (usually legitimate interest or the contract)."),
            ],
        ),
        Section(
            _("Categories of people"),
            [
                _(
                    "Customers of the business (companies' contacts, people; external and internal)."
                ),
                _("Staff of the business who use Ascolto."),
            ],
        ),
        Section(_("Customers' data: identity and contacts"), _fields(Kind.SUBJECT)),
        Section(_("Customers' data: texts (notes, comments, answers)"), _fields(Kind.FREE_TEXT)),
        Section(_("Staff data"), _fields(Kind.STAFF)),
        Section(_("Recipients"), _recipients()),
        Section(
            _("Transfers outside the EU"),
            [_("None by Ascolto. To complete: where the server and the mail server are hosted.")],
        ),
        Section(_("Time limits for erasure"), _retention_lines()),
        Section(_("Security measures"), _security_lines()),
    ]


def processing_record_text(*, workspace: Workspace) -> str:
    out = [_("Record of processing activities (GDPR Art. 30)"), ""]
    for section in processing_record(workspace=workspace):
        out.append(f"## {section.title}")
        out.extend(f"- {line}" for line in section.lines)
        out.append("")
    return "\n".join(out)
