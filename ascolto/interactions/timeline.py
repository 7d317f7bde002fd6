"""The registry of what a customer's timeline shows: every kind of record is a source.

The interactions app owns the timeline and registers its own sources (interactions, staff
signals, and the customers app's lost-customer records); a higher app adds its records in its
`AppConfig.ready()`, so the timeline never imports it:

    # ascolto/feedback/apps.py
    def ready(self):
        from ascolto.feedback.selectors import response_list_for_customer
        from ascolto.interactions.timeline import TimelineSource, timeline_sources

        timeline_sources.register(
            TimelineSource(
                kind="response",
                rank=3,
                template="feedback/_timeline_response.html",
                rows=response_list_for_customer,
                at_field="submitted_at",
            )
        )

`timeline_for_customer` (`ascolto/interactions/selectors.py`) asks every source for one page
and merges them. See docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

if TYPE_CHECKING:
    from ascolto.interactions.selectors import TimelineCursor


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


@dataclass(frozen=True)
class TimelineSource:
    """One kind of record on the timeline.

    - `kind`: its name in the entries and in "show older" links (letters only, no "-").
    - `rank`: entries at the same instant are ordered by rank, then id, highest first; each
      source has its own rank, so the order is total and a cursor never skips an entry.
    - `template`: renders one entry (`entry.obj` is the row; `customer`, `can_manage` and
      `text_analyses` are in the context).
    - `rows(*, workspace, customer)`: the customer's rows, newest first (id breaking ties),
      scoped to the workspace, with what the template reads already joined.
    - `at_field`: the datetime field that dates a row; or `day_field`, a date field: the row
      then stands at the start of that day in the workspace's time zone.
    """

    kind: str
    rank: int
    template: str
    rows: Callable[..., QuerySet]
    at_field: str = ""
    day_field: str = ""

    def __post_init__(self) -> None:
        if not self.kind.isalpha():
            raise ValueError(f"timeline kind {self.kind!r}: letters only")
        if bool(self.at_field) == bool(self.day_field):
            raise ValueError(f"timeline kind {self.kind!r}: give one of at_field, day_field")

    def at(self, obj: Any, zone: ZoneInfo) -> datetime:
        if self.at_field:
            return getattr(obj, self.at_field)
        return start_of_day(getattr(obj, self.day_field), zone)

    def older_than(self, qs: QuerySet, cursor: TimelineCursor, zone: ZoneInfo) -> QuerySet:
        """Rows of this source that come after `cursor` in timeline order."""
        if self.day_field:
            field, at = self.day_field, cursor.at.astimezone(zone).date()
            if cursor.at > start_of_day(at, zone):  # every row of that day is older
                return qs.filter(**{f"{field}__lte": at})
        else:
            field, at = self.at_field, cursor.at
        if self.rank < cursor.rank:
            return qs.filter(**{f"{field}__lte": at})
        if self.rank == cursor.rank:
            return qs.filter(Q(**{f"{field}__lt": at}) | Q(**{field: at}, pk__lt=cursor.pk))
        return qs.filter(**{f"{field}__lt": at})


class TimelineSources:
    """The registered sources, by kind. Registering the same source again changes nothing;
    another source under a taken kind or rank is an error."""

    def __init__(self) -> None:
        self._sources: dict[str, TimelineSource] = {}

    def register(self, source: TimelineSource) -> TimelineSource:
        existing = self._sources.get(source.kind)
        if existing == source:
            return source
        if existing is not None:
            raise ValueError(f"timeline kind {source.kind!r} is registered already")
        for other in self._sources.values():
            if other.rank == source.rank:
                raise ValueError(f"timeline rank {source.rank} is taken by {other.kind!r}")
        self._sources[source.kind] = source
        return source

    def unregister(self, kind: str) -> None:
        del self._sources[kind]

    def get(self, kind: str) -> TimelineSource:
        return self._sources[kind]

    def __contains__(self, kind: object) -> bool:
        return kind in self._sources

    def __iter__(self) -> Iterator[TimelineSource]:
        return iter(list(self._sources.values()))

    def __len__(self) -> int:
        return len(self._sources)


timeline_sources = TimelineSources()
