"""Webhooks: signed, delivered by the real task worker to a real HTTP server on this machine,
retried until a receiver that was down comes back (each event once), and never sent to private
addresses unless the owner allowed it."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ascolto.api.models import WebhookDelivery
from ascolto.api.services.webhooks import (
    UnsafeAddress,
    resolve_target,
    webhook_deliveries_sweep,
    webhook_delivery_resend,
    webhook_event_emit,
    webhook_subscription_create,
)
from ascolto.core.leases import WorkState
from ascolto.core.testing import run_pending_tasks
from ascolto.customers.services import lost_record_create
from ascolto.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


class Receiver:
    """A real HTTP server on 127.0.0.1 that keeps what it gets and answers `status`."""

    def __init__(self, port: int = 0, status: int = 200):
        self.received: list[dict] = []
        self.status = status
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append({"headers": dict(self.headers), "body": body})
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/ascolto"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


def verify(secret: str, headers: dict, body: bytes) -> bool:
    """What a receiver does (docs/api.md shows the same)."""
    parts = dict(item.split("=", 1) for item in headers["Ascolto-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), parts["v1"])


def test_a_lost_customer_reaches_the_receiver_signed(
    alice, receiver, django_capture_on_commit_callbacks
):
    made = webhook_subscription_create(
        workspace=alice.workspace,
        by=alice,
        url=receiver.url,
        events=["customer.lost"],
        allow_private=True,
    )
    customer = CustomerFactory(workspace=alice.workspace)
    with django_capture_on_commit_callbacks(execute=True):
        lost_record_create(
            customer=customer,
            by=alice,
            lost_on=timezone.localdate(),
            reason=alice.workspace.lost_reasons.get(code="prezzo"),
        )
    run_pending_tasks()
    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert verify(made.secret, got["headers"], got["body"])
    assert not verify("another secret", got["headers"], got["body"])
    event = json.loads(got["body"])
    assert event["type"] == "customer.lost" and event["data"]["customer_id"] == customer.pk
    assert got["headers"]["Ascolto-Event-Id"] == event["id"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WorkState.DONE and delivery.status_code == 200


def test_a_receiver_that_was_down_gets_the_event_once_when_it_is_back(
    alice, django_capture_on_commit_callbacks
):
    """GIVEN a subscription to a port nobody listens on WHEN the event is sent THEN it fails
    and waits; WHEN the receiver starts on that port and the sweeper runs past the back-off
    THEN it gets the event exactly once, and later sweeps send nothing more."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    url = f"http://127.0.0.1:{port}/in"
    webhook_subscription_create(
        workspace=alice.workspace,
        by=alice,
        url=url,
        events=["response.received"],
        allow_private=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        webhook_event_emit(
            workspace_id=alice.workspace.pk, event="response.received", data={"x": 1}
        )
    run_pending_tasks()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WorkState.PENDING and delivery.attempts == 1
    assert "Connection" in delivery.last_error or "refused" in delivery.last_error.lower()
    back = Receiver(port=port)
    try:
        assert delivery.next_attempt_at > timezone.now()  # backing off
        WebhookDelivery.objects.update(next_attempt_at=timezone.now())  # the back-off is over
        later = timezone.now()
        assert webhook_deliveries_sweep(now=later) == 1
        run_pending_tasks()
        assert webhook_deliveries_sweep(now=later + timedelta(hours=1)) == 0
        run_pending_tasks()
        assert len(back.received) == 1
        delivery.refresh_from_db()
        assert delivery.state == WorkState.DONE and delivery.attempts == 2
    finally:
        back.stop()


def test_an_error_answer_is_retried_and_logged_and_can_be_sent_again(
    alice, receiver, alice_client, django_capture_on_commit_callbacks
):
    receiver.status = 500
    made = webhook_subscription_create(
        workspace=alice.workspace,
        by=alice,
        url=receiver.url,
        events=["promise.broken"],
        allow_private=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        webhook_event_emit(workspace_id=alice.workspace.pk, event="promise.broken", data={})
    run_pending_tasks()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status_code == 500 and delivery.state == WorkState.PENDING
    page = alice_client.get(f"/connections/webhooks/{made.subscription.pk}/").content.decode()
    assert "500" in page and "promise.broken" in page
    receiver.status = 204
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(f"/connections/deliveries/{delivery.pk}/resend/")
    assert response.status_code == 302
    run_pending_tasks()
    delivery.refresh_from_db()
    assert delivery.state == WorkState.DONE and delivery.status_code == 204
    assert len(receiver.received) == 2
    ids = {json.loads(r["body"])["id"] for r in receiver.received}
    assert len(ids) == 1  # the same event id on every attempt


def test_private_addresses_are_refused_unless_allowed(alice):
    for url in (
        "http://127.0.0.1/x",
        "http://localhost:8000/x",
        "http://10.1.2.3/",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/",
        "http://192.168.1.5/",
    ):
        with pytest.raises(ValidationError) as error:
            webhook_subscription_create(
                workspace=alice.workspace, by=alice, url=url, events=["customer.lost"]
            )
        assert "url" in error.value.message_dict, url
    with pytest.raises(UnsafeAddress):
        resolve_target("http://localhost/", allow_private=False)
    assert resolve_target("http://localhost/", allow_private=True)[2] in ("127.0.0.1", "::1")


def test_the_address_is_checked_again_at_delivery(
    alice, receiver, django_capture_on_commit_callbacks
):
    """A name that resolved to a public address when registered may point at 127.0.0.1 later
    (DNS rebinding): the delivery refuses to connect."""
    made = webhook_subscription_create(
        workspace=alice.workspace,
        by=alice,
        url=receiver.url,
        events=["customer.lost"],
        allow_private=True,
    )
    type(made.subscription).objects.filter(pk=made.subscription.pk).update(
        url=f"http://localhost:{receiver.port}/x", allow_private=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        webhook_event_emit(workspace_id=alice.workspace.pk, event="customer.lost", data={})
    run_pending_tasks()
    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WorkState.PENDING and "private" in delivery.last_error


def test_only_owners_register_and_resend_and_other_workspaces_see_nothing(
    alice, carol, mallory_client, django_capture_on_commit_callbacks
):
    with pytest.raises(PermissionDenied):
        webhook_subscription_create(
            workspace=alice.workspace,
            by=carol,
            url="https://example.com/x",
            events=["customer.lost"],
        )
    made = webhook_subscription_create(
        workspace=alice.workspace,
        by=alice,
        url="http://127.0.0.1:9/x",
        events=["customer.lost"],
        allow_private=True,
    )
    webhook_event_emit(workspace_id=alice.workspace.pk, event="customer.lost", data={})
    delivery = WebhookDelivery.objects.get()
    with pytest.raises(PermissionDenied):
        webhook_delivery_resend(delivery=delivery, by=carol)
    assert mallory_client.get(f"/connections/webhooks/{made.subscription.pk}/").status_code == 404
    assert mallory_client.post(f"/connections/deliveries/{delivery.pk}/resend/").status_code == 404
    assert (
        webhook_event_emit(workspace_id=alice.workspace.pk, event="response.received", data={}) == 0
    )


def test_the_page_registers_an_address_and_shows_the_secret_once(alice_client, alice):
    response = alice_client.post(
        "/connections/webhooks/",
        {"url": "http://127.0.0.1:9/x", "events": ["customer.lost"], "allow_private": "on"},
    )
    assert response.status_code == 200
    secret = response.context["new_secret"]
    assert secret and secret in response.content.decode()
    assert secret not in alice_client.get("/connections/webhooks/").content.decode()
    refused = alice_client.post(
        "/connections/webhooks/", {"url": "http://127.0.0.1:9/x", "events": ["customer.lost"]}
    )
    assert refused.status_code == 400
    assert "rete privata" in refused.content.decode() or "private" in refused.content.decode()
