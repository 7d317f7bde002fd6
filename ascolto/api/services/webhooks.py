"""Outbound webhooks: events of a workspace posted to the addresses its owners registered.

Each event becomes one `WebhookDelivery` per subscription, written in the transaction of the
event itself (a hook of the lower app), and sent after commit by a task that claims it with a
lease, like the emails: an answer 2xx completes it; anything else (an error status, a timeout,
a refused connection) retries with back-off; the sweeper re-sends what a dead worker left.

Requests are signed: `Ascolto-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>"
under the subscription's secret>`. Addresses that resolve to loopback, private, link-local or
other non-public networks are refused when registered and again at every delivery (a name may
be pointed elsewhere later), unless the owner allowed a private address; the connection goes
to the address that was checked, never to a second lookup.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ascolto.api.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from ascolto.core.leases import (
    WorkState,
    default_owner,
    lease_claim_one,
    lease_complete,
    lease_dispatched,
    lease_fail,
    lease_sweep,
)
from ascolto.workspaces.guards import require_member
from ascolto.workspaces.models import Membership, Role, Workspace

logger = logging.getLogger("ascolto.api")

TIMEOUT_SECONDS = 10
SIGNATURE_HEADER = "Ascolto-Signature"


class UnsafeAddress(Exception):
    """The address resolves to a network the webhook may not reach."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The `Ascolto-Signature` header value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve_target(url: str, *, allow_private: bool) -> tuple[str, int, str]:
    """(host, port, the IP address to connect to) for `url`; raises UnsafeAddress when the
    name does not resolve, or resolves to any non-public address and private ones are not
    allowed."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeAddress(_("The port is not valid.")) from exc
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnsafeAddress(_("This address cannot be found.")) from exc
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise UnsafeAddress(_("This address cannot be found."))
    if not allow_private and not all(_is_public(str(a)) for a in addresses):
        raise UnsafeAddress(
            _("This address is on a private or local network; allow it explicitly if you mean it.")
        )
    return host, port, str(addresses[0])


def _url_clean(url: str, *, allow_private: bool) -> str:
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError({"url": _("Enter a web address starting with https://.")}) from None
    try:
        resolve_target(url, allow_private=allow_private)
    except UnsafeAddress as exc:
        raise ValidationError({"url": str(exc)}) from None
    return url


@dataclass(frozen=True)
class NewSubscription:
    subscription: WebhookSubscription
    secret: str


@transaction.atomic
def webhook_subscription_create(
    *,
    workspace: Workspace,
    by: Membership,
    url: str,
    events: list[str],
    allow_private: bool = False,
) -> NewSubscription:
    """Register an address for `events` (owners only). Returns it with its signing secret."""
    require_member(by, workspace, Role.OWNER)
    unknown = sorted(set(events) - set(WebhookEvent.values))
    if unknown or not events:
        raise ValidationError({"events": _("Choose one or more events from the list.")})
    subscription = WebhookSubscription(
        workspace=workspace,
        url=_url_clean(url, allow_private=allow_private),
        events=sorted(set(events)),
        secret=secrets.token_hex(32),
        allow_private=allow_private,
        created_by=by,
    )
    subscription.full_clean()
    subscription.save()
    return NewSubscription(subscription, subscription.secret)


@transaction.atomic
def webhook_subscription_delete(*, subscription: WebhookSubscription, by: Membership) -> None:
    """Stop sending to this address (owners only); its delivery log goes with it."""
    require_member(by, subscription.workspace_id, Role.OWNER)
    subscription.delete()


def _enqueue(delivery_id: int) -> None:
    from ascolto.api.tasks import webhook_delivery_send_task

    webhook_delivery_send_task.enqueue(delivery_id)


def _dispatch(delivery_ids: list[int]) -> None:
    if not delivery_ids:
        return
    lease_dispatched(WebhookDelivery.objects.filter(pk__in=delivery_ids))

    def enqueue_all() -> None:
        for pk in delivery_ids:
            _enqueue(pk)

    transaction.on_commit(enqueue_all)


def webhook_event_emit(*, workspace_id: int, event: str, data: dict[str, Any]) -> int:
    """Queue `event` for every active subscription of the workspace that listens to it, in the
    caller's transaction; the tasks are enqueued when it commits. Returns how many."""
    subscriptions = [
        s
        for s in WebhookSubscription.objects.filter(workspace_id=workspace_id, active=True)
        if event in s.events
    ]
    if not subscriptions:
        return 0
    event_id = uuid.uuid4()
    now = timezone.now()
    payload = json.dumps(
        {
            "id": str(event_id),
            "type": event,
            "created_at": now.isoformat(),
            "workspace_id": workspace_id,
            "data": data,
        },
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                workspace_id=workspace_id,
                subscription=s,
                event_id=event_id,
                event=event,
                payload=payload,
                created_at=now,
            )
            for s in subscriptions
        ]
    )
    ids = [d.pk for d in deliveries if d.pk is not None]
    if len(ids) != len(deliveries):  # backends that do not return keys from bulk inserts
        ids = list(WebhookDelivery.objects.filter(event_id=event_id).values_list("pk", flat=True))
    _dispatch(ids)
    return len(ids)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address checked beforehand, whatever the name resolves to now."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _post(subscription: WebhookSubscription, delivery: WebhookDelivery) -> int:
    """Send one attempt; return the receiver's status code."""
    host, port, address = resolve_target(subscription.url, allow_private=subscription.allow_private)
    parts = urlsplit(subscription.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    body = delivery.payload.encode()
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address, TIMEOUT_SECONDS)
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Ascolto-Webhooks/1",
                "Ascolto-Event": delivery.event,
                "Ascolto-Event-Id": str(delivery.event_id),
                SIGNATURE_HEADER: sign(subscription.secret, int(time.time()), body),
            },
        )
        response = connection.getresponse()
        response.read(1024)
        return response.status
    finally:
        connection.close()


def webhook_delivery_send(*, delivery_id: int, owner: str | None = None) -> bool:
    """Deliver one claimed event; True when the receiver took it (2xx). Safe to call twice:
    the row is claimed with a lease, and a delivered row is not claimable."""
    owner = owner or default_owner()
    claimed = lease_claim_one(WebhookDelivery, delivery_id, owner=owner)
    if claimed is None:
        return False
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=claimed.pk)
    subscription = delivery.subscription
    if not subscription.active:
        lease_fail(claimed, owner=owner, error="The webhook was switched off.", permanent=True)
        return False
    try:
        status = _post(subscription, delivery)
    except UnsafeAddress as exc:
        lease_fail(claimed, owner=owner, error=str(exc))
        return False
    except (OSError, http.client.HTTPException) as exc:
        lease_fail(claimed, owner=owner, error=f"{type(exc).__name__}: {exc}"[:500])
        return False
    if 200 <= status < 300:
        lease_complete(claimed, owner=owner, status_code=status, delivered_at=timezone.now())
        return True
    WebhookDelivery.objects.filter(pk=claimed.pk).update(status_code=status)
    lease_fail(claimed, owner=owner, error=_("The receiver answered %(code)s.") % {"code": status})
    return False


def webhook_deliveries_sweep(*, now: datetime | None = None) -> int:
    """The sweeper: re-enqueue deliveries that are due (retries) or whose worker died."""
    return lease_sweep(WebhookDelivery.objects.all(), enqueue=_enqueue, now=now)


@transaction.atomic
def webhook_delivery_resend(*, delivery: WebhookDelivery, by: Membership) -> WebhookDelivery:
    """Send a delivery again now, with the same event id (owners only): for a receiver that
    was fixed after the retries ran out, or that lost what it got."""
    require_member(by, delivery.workspace_id, Role.OWNER)
    WebhookDelivery.objects.filter(pk=delivery.pk).exclude(state=WorkState.RUNNING).update(
        state=WorkState.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        last_error="",
        delivered_at=None,
    )
    _dispatch([delivery.pk])
    delivery.refresh_from_db()
    return delivery
