"""The drawing primitives of Ascolto's charts: inline SVG made on the server.

No JavaScript: the markup works under the strict content security policy (colours are SVG
presentation attributes and CSS classes, never `style=`), prints, and goes into the PDF report
unchanged. Each chart is `role="img"` with an `aria-label` that says what it shows, and every
text in it is escaped here. The dashboards' and the gap page's charts are built from these.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PROMOTER = "#1e6b32"
PASSIVE = "#a9b2b9"
DETRACTOR = "#b3261e"
LINE = "#0f5c4d"
BAND = "#cfe6df"
GREY = "#9aa4ad"
AXIS = "#d9dee2"
TEXT = "#5a6670"


def number(value: float | None, digits: int = 1) -> str:
    """A figure as a person reads it in the current language ("–" when there is none)."""
    return "–" if value is None else number_format(round(value, digits), digits)


def coord(value: float) -> str:
    """A coordinate with one decimal, for SVG attributes."""
    return f"{value:.1f}"


def svg(width: int, height: int, label: str, body: list[str], css: str) -> SafeString:
    """The `<svg>` element around `body` (parts already escaped), labelled for screen readers."""
    return mark_safe(  # noqa: S308 (every text part is escaped by its maker)
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css}" role="img" '
        f'aria-label="{escape(label)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="sans-serif" font-size="11">'
        + "".join(body)
        + "</svg>"
    )


def x_labels(labels: Sequence[str], centers: Sequence[float], y: float) -> list[str]:
    """At most about twelve labels under an axis, centred on their points."""
    every = max(1, -(-len(labels) // 12))
    return [
        f'<text x="{coord(x)}" y="{coord(y)}" text-anchor="middle" fill="{TEXT}">'
        f"{escape(text)}</text>"
        for i, (text, x) in enumerate(zip(labels, centers, strict=True))
        if i % every == 0
    ]
