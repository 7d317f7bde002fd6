"""The feed poller against a real HTTP server on this machine: 200 with an ETag, 304 on the
next request, 500, a server too slow to answer, malformed XML, an XML bomb and an external
entity (refused), and a 50 MB body (cut off). Nothing of the network is faked."""

import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from ascolto.core.testing import failed_tasks, run_pending_tasks
from ascolto.voice import services
from ascolto.voice.feeds import FeedError, feed_parse
from ascolto.voice.models import Review, Source
from ascolto.voice.tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Menzioni</title>
<item>
  <title>Noleggi Rossi: furgoni in ritardo</title>
  <link>https://blog.example.it/2026/03/noleggi-rossi?utm_source=rss</link>
  <guid isPermaLink="false">post-101</guid>
  <dc:creator>Lucia Blog</dc:creator>
  <pubDate>Mon, 09 Mar 2026 08:15:00 +0000</pubDate>
  <description>&lt;p&gt;Terza volta che il furgone arriva &lt;b&gt;in ritardo&lt;/b&gt; &#x1F620;&lt;/p&gt;</description>
</item>
<item>
  <title>Consigliati</title>
  <link>https://forum.example.it/t/55</link>
  <pubDate>Sun, 08 Mar 2026 18:00:00 +0100</pubDate>
  <description>Sempre gentili.</description>
</item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Mentions</title>
  <entry>
    <id>tag:news.example.com,2026:1</id>
    <title>Great rental service</title>
    <link rel="alternate" href="https://news.example.com/1"/>
    <author><name>Jane Reporter</name></author>
    <published>2026-03-07T10:00:00Z</published>
    <content type="html">&lt;p&gt;Quick and friendly.&lt;/p&gt;</content>
  </entry>
</feed>"""

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><item><title>&lol9;</title></item></channel></rss>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>x</title><description>&secret;</description>
<guid>x</guid></item></channel></rss>"""

ETAG = '"v1"'


class Handler(BaseHTTPRequestHandler):
    """Answers by path; counts what it was asked (and with which conditional headers)."""

    log: list = []

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        Handler.log.append((self.path, self.headers.get("If-None-Match")))
        try:
            self._answer()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _send(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _answer(self):
        if self.path == "/rss":
            if self.headers.get("If-None-Match") == ETAG:
                self._send(304)
            else:
                self._send(200, RSS, [("ETag", ETAG), ("Content-Type", "application/rss+xml")])
        elif self.path == "/atom":
            self._send(200, ATOM)
        elif self.path == "/error":
            self._send(500, b"boom")
        elif self.path == "/slow":
            time.sleep(2)
            self._send(200, RSS)
        elif self.path == "/malformed":
            self._send(200, b"<rss><channel><item><title>no end")
        elif self.path == "/bomb":
            self._send(200, BOMB)
        elif self.path == "/external":
            self._send(200, EXTERNAL)
        elif self.path == "/html":
            self._send(200, b"<html><body>not a feed</body></html>")
        elif self.path == "/huge":
            # 50 MB without a Content-Length, streamed: the reader must stop on its own.
            self.send_response(200)
            self.end_headers()
            chunk = b"<!-- " + b"x" * (1024 * 1024 - 9) + b" -->"
            for _ in range(50):
                self.wfile.write(chunk)
        elif self.path == "/huge-declared":
            self.send_response(200)
            self.send_header("Content-Length", str(50 * 1024 * 1024))
            self.end_headers()
        else:
            self._send(404)


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Handler.log = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _feed_settings(settings):
    settings.VOICE_FEED_TIMEOUT_SECONDS = 1
    settings.VOICE_FEED_MAX_BYTES = 2 * 1024 * 1024
    settings.VOICE_FEED_EVERY_MINUTES = 60


def feed(workspace, url, **kwargs):
    return SourceFactory(
        workspace=workspace, kind=Source.Kind.FEED, platform="web", feed_url=url, **kwargs
    )


def test_a_feed_is_read_then_asked_again_conditionally(workspace_a, server):
    source = feed(workspace_a, server + "/rss")
    now = timezone.now()
    first = services.source_feed_poll(source_id=source.pk, now=now)
    assert first.changed and first.created == 2
    source.refresh_from_db()
    assert source.etag == ETAG and source.failures == 0
    assert source.next_poll_at == now + timedelta(minutes=60)
    mention = Review.objects.get(platform_id="post-101")
    assert mention.title == "Noleggi Rossi: furgoni in ritardo"
    assert mention.text == "Terza volta che il furgone arriva in ritardo 😠"
    assert mention.author == "Lucia Blog" and mention.rating is None
    assert mention.published_at == datetime(2026, 3, 9, 8, 15, tzinfo=UTC)
    assert mention.url.startswith("https://blog.example.it/")

    again = services.source_feed_poll(source_id=source.pk)
    assert not again.changed and again.created == 0
    assert Handler.log == [("/rss", None), ("/rss", ETAG)]
    assert Review.objects.filter(workspace=workspace_a).count() == 2


def test_the_same_entries_from_a_feed_without_etag_are_not_doubled(workspace_a, server):
    source = feed(workspace_a, server + "/atom")
    assert services.source_feed_poll(source_id=source.pk).created == 1
    assert services.source_feed_poll(source_id=source.pk).created == 0
    entry = Review.objects.get(workspace=workspace_a)
    assert (entry.author, entry.text, entry.url) == (
        "Jane Reporter",
        "Quick and friendly.",
        "https://news.example.com/1",
    )


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/error", "HTTP 500"),
        ("/missing", "HTTP 404"),
        ("/slow", "non ha risposto entro 1 secondo"),
        ("/malformed", "non è XML valido"),
        ("/bomb", "si rifiuta"),
        ("/external", "si rifiuta"),
        ("/html", "non un feed RSS o Atom"),
        ("/huge", "supera 2 MB"),
        ("/huge-declared", "supera 2 MB"),
    ],
)
def test_a_feed_that_fails_is_kept_as_an_error_and_tried_later_and_later(
    workspace_a, server, path, words
):
    source = feed(workspace_a, server + path)
    now = timezone.now()
    started = time.monotonic()
    result = services.source_feed_poll(source_id=source.pk, now=now)
    assert time.monotonic() - started < 10
    assert words in result.error
    source.refresh_from_db()
    assert source.failures == 1 and words in source.last_error
    assert source.next_poll_at == now + timedelta(minutes=120)
    services.source_feed_poll(source_id=source.pk, now=now)
    source.refresh_from_db()
    assert source.failures == 2 and source.next_poll_at == now + timedelta(minutes=240)
    assert not Review.objects.exists()


def test_the_back_off_stops_at_a_day_and_a_good_answer_resets_it(workspace_a, server):
    source = feed(workspace_a, server + "/error", failures=20)
    now = timezone.now()
    services.source_feed_poll(source_id=source.pk, now=now)
    source.refresh_from_db()
    assert source.next_poll_at == now + timedelta(hours=24)
    Source.objects.filter(pk=source.pk).update(feed_url=server + "/rss")
    services.source_feed_poll(source_id=source.pk, now=now)
    source.refresh_from_db()
    assert (source.failures, source.last_error) == (0, "")


def test_the_entity_is_never_expanded_by_the_parser():
    for body in (BOMB, EXTERNAL):
        with pytest.raises(FeedError):
            feed_parse(body)


def test_only_web_addresses_are_read(workspace_a):
    source = feed(workspace_a, "file:///etc/passwd")
    result = services.source_feed_poll(source_id=source.pk)
    assert "http" in result.error


def test_the_job_claims_due_feeds_once_and_the_worker_reads_them(workspace_a, server):
    due = feed(workspace_a, server + "/rss", next_poll_at=timezone.now() - timedelta(minutes=1))
    feed(workspace_a, server + "/atom", next_poll_at=timezone.now() + timedelta(hours=1))
    assert services.source_feeds_poll_due() == 1
    assert services.source_feeds_poll_due() == 0  # claimed: a second scheduler finds nothing
    run_pending_tasks()
    assert failed_tasks() == []
    assert Review.objects.filter(source=due).count() == 2
    due.refresh_from_db()
    assert due.next_poll_at > timezone.now() + timedelta(minutes=50)


def test_the_feed_job_is_in_the_schedule():
    from ascolto.core.jobs import job_get

    job = job_get("voice-feeds")
    assert job is not None and job.func == "ascolto.voice.services.source_feeds_poll_due"
