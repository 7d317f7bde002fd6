"""The public rating per platform and month as an SVG line chart (lib/charts primitives): one
line per platform on the 1–5 scale, its 95% margin as a band and a whisker on each point;
months with fewer than `LOW_N` reviews are drawn hollow."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ascolto.lib.charts import AXIS, TEXT, coord, number, svg, x_labels
from ascolto.lib.periods import Bucket
from ascolto.voice.selectors import PlatformTrend, RatingPoint

LOW_N = 5
# One colour per platform, readable on white and distinct for colour-blind readers.
COLOURS = {
    "google": "#1a5fb4",
    "tripadvisor": "#1e6b32",
    "trustpilot": "#b5560b",
    "facebook": "#6a3d9a",
    "web": "#5a6670",
    "other": "#8f5902",
}


def _tooltip(platform: str, month: str, point: RatingPoint) -> str:
    text = ngettext(
        "%(platform)s, %(month)s: %(mean)s★ from %(n)s review",
        "%(platform)s, %(month)s: %(mean)s★ from %(n)s reviews",
        point.n,
    ) % {"platform": platform, "month": month, "mean": number(point.mean, 2), "n": point.n}
    if point.margin is not None:
        text += " " + _("(± %(margin)s)") % {"margin": number(point.margin, 2)}
    return text


def rating_trend_svg(
    buckets: Sequence[Bucket],
    trends: Sequence[PlatformTrend],
    *,
    label: str,
    width: int = 720,
    height: int = 280,
) -> SafeString:
    left, right, top, bottom = 34, 12, 12, 58
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(1, len(buckets))
    centers = [left + step * (i + 0.5) for i in range(len(buckets))]

    def y(value: float) -> float:
        return top + (5 - max(1.0, min(5.0, value))) / 4 * plot_h

    body = []
    for tick in (1, 2, 3, 4, 5):
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{coord(y(tick))}" y2="{coord(y(tick))}" '
            f'stroke="{AXIS}" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{coord(y(tick) + 4)}" text-anchor="end" fill="{TEXT}">'
            f"{tick}★</text>"
        )
    for index, trend in enumerate(trends):
        colour = COLOURS.get(trend.platform, TEXT)
        shift = (index - (len(trends) - 1) / 2) * 3  # whiskers of platforms side by side
        xs = [c + shift for c in centers]
        present = [i for i, p in enumerate(trend.points) if p.mean is not None]
        banded = [i for i in present if trend.points[i].margin is not None]
        if len(banded) > 1:
            upper = [(xs[i], y(trend.points[i].mean + trend.points[i].margin)) for i in banded]  # type: ignore[operator]
            lower = [(xs[i], y(trend.points[i].mean - trend.points[i].margin)) for i in banded]  # type: ignore[operator]
            points = " ".join(f"{coord(a)},{coord(b)}" for a, b in upper + lower[::-1])
            body.append(f'<polygon class="band" points="{points}" fill="{colour}" opacity="0.12"/>')
        if len(present) > 1:
            line = " ".join(f"{coord(xs[i])},{coord(y(trend.points[i].mean))}" for i in present)  # type: ignore[arg-type]
            body.append(
                f'<polyline class="line" data-platform="{escape(trend.platform)}" '
                f'points="{line}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        for i in present:
            point = trend.points[i]
            mean = point.mean
            assert mean is not None
            x = coord(xs[i])
            whisker = ""
            if point.margin is not None:
                whisker = (
                    f'<line x1="{x}" x2="{x}" y1="{coord(y(mean + point.margin))}" '
                    f'y2="{coord(y(mean - point.margin))}" stroke="{colour}" stroke-width="1"/>'
                )
            low = point.n < LOW_N
            body.append(
                f'<g class="point{" low-n" if low else ""}" data-platform="{escape(trend.platform)}">'
                f"<title>{escape(_tooltip(trend.label, buckets[i].label, point))}</title>"
                f'{whisker}<circle cx="{x}" cy="{coord(y(mean))}" r="4" '
                f'fill="{"#ffffff" if low else colour}" stroke="{colour}" stroke-width="2"/></g>'
            )
    body += x_labels([b.label for b in buckets], centers, height - bottom + 18)
    # Legend under the months.
    x = left
    for trend in trends:
        colour = COLOURS.get(trend.platform, TEXT)
        body.append(
            f'<rect x="{x}" y="{height - 16}" width="12" height="4" fill="{colour}"/>'
            f'<text x="{x + 16}" y="{height - 11}" fill="{TEXT}">{escape(trend.label)}</text>'
        )
        x += 24 + 7 * len(trend.label)
    return svg(width, height, label, body, "chart-line voice-trend")
