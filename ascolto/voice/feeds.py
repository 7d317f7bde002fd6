"""Reading an RSS or Atom feed of reviews or mentions: one conditional HTTP request, a size
limit, and a parser that refuses what XML can be made to do to a reader.

- `feed_fetch()` sends `If-None-Match` / `If-Modified-Since` from the last answer, so an
  unchanged feed costs the server one 304; it reads at most `max_bytes` (one byte more means
  the feed is too big and nothing of it is used) and gives up after `timeout` seconds.
  Only http and https addresses are read (no `file:`), redirects included.
- `feed_parse()` uses `defusedxml` with document type declarations forbidden: no entity
  expansion (the "billion laughs"), no external entities or DTDs (a feed cannot make Ascolto
  read a local file or another address).

`FeedError` messages are for the staff (they show on the sources page).
"""

from __future__ import annotations

import html
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import Element, ParseError  # noqa: S405 (types only; parsing is defusedxml)
from zoneinfo import ZoneInfo

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ascolto.voice.normalise import ReviewIn, date_parse

USER_AGENT = "Ascolto feed reader (+https://github.com/ascolto)"
CHUNK = 64 * 1024


class FeedError(Exception):
    """The feed could not be read; the message says why, for the staff."""


@dataclass(frozen=True)
class FetchResult:
    changed: bool  # False: the server answered 304 Not Modified
    body: bytes = b""
    etag: str = ""
    last_modified: str = ""


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: PLR0913
        if not newurl.lower().startswith(("http://", "https://")):
            raise FeedError(_("The feed's address sends us to something that is not a web page."))
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(
    _HttpOnlyRedirects,
    urllib.request.ProxyHandler({}),  # a feed is read directly, never through an env proxy
)


def feed_fetch(
    url: str, *, etag: str = "", last_modified: str = "", timeout: float, max_bytes: int
) -> FetchResult:
    if not url.lower().startswith(("http://", "https://")):
        raise FeedError(_("A feed's address starts with http:// or https://."))
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (scheme checked above)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FeedError(_too_big(max_bytes))
            body = bytearray()
            while chunk := response.read(CHUNK):
                body += chunk
                if len(body) > max_bytes:
                    raise FeedError(_too_big(max_bytes))
            return FetchResult(
                changed=True,
                body=bytes(body),
                etag=(response.headers.get("ETag") or "")[:300],
                last_modified=(response.headers.get("Last-Modified") or "")[:100],
            )
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return FetchResult(changed=False, etag=etag, last_modified=last_modified)
        raise FeedError(
            _("The feed's server answered with an error (HTTP %(code)s).") % {"code": error.code}
        ) from None
    except TimeoutError:
        raise FeedError(_too_slow(timeout)) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise FeedError(_too_slow(timeout)) from None
        raise FeedError(
            _("The feed's server cannot be reached (%(reason)s).") % {"reason": error.reason}
        ) from None
    except (ConnectionError, OSError) as error:
        raise FeedError(
            _("The feed's server cannot be reached (%(reason)s).") % {"reason": error}
        ) from None


def _too_slow(timeout: float) -> str:
    seconds = max(1, int(timeout))
    return ngettext(
        "The feed's server did not answer within %(seconds)s second.",
        "The feed's server did not answer within %(seconds)s seconds.",
        seconds,
    ) % {"seconds": seconds}


def _too_big(max_bytes: int) -> str:
    return _("The feed is bigger than %(limit)s MB: it was not read.") % {
        "limit": f"{max_bytes / 1024 / 1024:.0f}"
    }


# --- Parsing -------------------------------------------------------------------------------------


@dataclass
class FeedEntry:
    guid: str = ""
    link: str = ""
    title: str = ""
    text: str = ""
    author: str = ""
    published: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child_text(element: Element, *names: str) -> str:
    for name in names:
        for child in element:
            if _local(child.tag) == name:
                if name == "author":  # Atom: <author><name>
                    inner = _child_text(child, "name")
                    if inner:
                        return inner
                text = "".join(child.itertext()).strip()
                if text:
                    return text
    return ""


def _link(element: Element) -> str:
    for child in element:
        if _local(child.tag) == "link":
            href = child.get("href")
            if href and child.get("rel", "alternate") == "alternate":
                return href.strip()
            if not href and (child.text or "").strip():
                return (child.text or "").strip()
    return ""


def _plain(text: str) -> str:
    return html.unescape(strip_tags(text)).strip()


def feed_parse(body: bytes) -> list[FeedEntry]:
    """The entries of an RSS (0.9x, 1.0, 2.0) or Atom feed, oldest last as the feed has them."""
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise FeedError(
            _("The feed declares entities or a DTD, which Ascolto refuses to read.")
        ) from None
    except (ParseError, ValueError) as error:
        raise FeedError(_("The feed is not valid XML (%(error)s).") % {"error": error}) from None
    if _local(root.tag) not in ("rss", "feed", "RDF"):
        raise FeedError(_("This is XML but not an RSS or Atom feed."))
    entries = []
    for element in root.iter():
        if _local(element.tag) not in ("item", "entry"):
            continue
        entries.append(
            FeedEntry(
                guid=_child_text(element, "guid", "id"),
                link=_link(element),
                title=_plain(_child_text(element, "title")),
                text=_plain(_child_text(element, "content", "description", "summary")),
                author=_plain(_child_text(element, "author", "creator")),
                published=_child_text(element, "pubDate", "published", "date", "updated"),
            )
        )
    return entries


def entry_review(entry: FeedEntry, *, platform: str, zone: ZoneInfo, now: datetime) -> ReviewIn:
    """A feed entry as a mention (no rating); an entry without a date is dated `now`."""
    try:
        published = date_parse(entry.published, zone) if entry.published else now
    except ValueError:
        published = now
    return ReviewIn(
        platform=platform,
        published_at=min(published, now),
        text=entry.text[:20_000],
        title=entry.title[:300],
        author=entry.author[:200],
        url=entry.link if entry.link.lower().startswith(("http://", "https://")) else "",
        platform_id=entry.guid[:300],
    )
