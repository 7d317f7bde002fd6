"""Two imports of the same reviews at the same moment store each review once: the unique
constraint decides, not the read before the insert."""

import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection, connections

from ascolto.voice import services
from ascolto.voice.models import Review
from ascolto.voice.normalise import ReviewIn

# See ascolto/feedback/tests/test_concurrency.py: pytest-django's SQLite test database lives in
# memory, where concurrent writers fail at once instead of waiting for the lock.
needs_real_concurrency = pytest.mark.skipif(
    connection.vendor == "sqlite", reason="in-memory SQLite test database cannot wait for locks"
)


@needs_real_concurrency
@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_store_each_review_once(workspace_a):
    items = [
        ReviewIn(
            platform="google",
            published_at=datetime(2026, 3, 1, 10, n % 60, tzinfo=UTC),
            platform_id=f"g-{n}",
            author=f"Autore {n}",
            text="Bene.",
            rating=Decimal(5),
        )
        for n in range(40)
    ]
    barrier = threading.Barrier(4)
    results, errors = [], []

    def run() -> None:
        try:
            barrier.wait()
            results.append(services.reviews_ingest(workspace=workspace_a, items=items))
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(len(r.created) for r in results) == 40
    assert sum(r.duplicates for r in results) == 3 * 40
    assert Review.objects.filter(workspace=workspace_a).count() == 40
