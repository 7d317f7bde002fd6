"""The gap page's charts as inline SVG, drawn on the server like the dashboards' charts
(`ascolto/lib/charts.py`): no JavaScript, no `style=`, `role="img"` with an
`aria-label`, a `<title>` on every mark; the page puts an accessible table beside them.
Figures over fewer than `LOW_N` checks or answers are drawn grey.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ascolto.lib.charts import AXIS, GREY, TEXT, coord, svg
from ascolto.promises.gaps import Bucket, MonthShare, PromiseGap

DELIVERED = "#0f5c4d"
PERCEIVED = "#2f6db5"
PROMISED = "#1d2327"
# From well within the limit (green) to more than twice it (red).
BUCKET_COLOURS = ("#1e6b32", "#6a9f3a", "#d39a1c", "#d9661f", "#b3261e")


def _pct(value: float | None) -> str:
    return "–" if value is None else number_format(round(value, 1), 1) + "%"


def _short(text: str, size: int = 30) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def gaps_svg(gaps: Sequence[PromiseGap], *, label: str, width: int = 720) -> SafeString:
    """Per promise, on 0–100 %: the promise (a dashed line at 100 %), the share of checks that
    kept it (delivered) and the customers' normalised rating (perceived)."""
    left, right, top, row_h = 200, 16, 24, 34
    height = top + row_h * max(1, len(gaps)) + 8
    plot_w = width - left - right

    def x(value: float) -> float:
        return left + max(0.0, min(100.0, value)) / 100 * plot_w

    body = []
    for tick in (0, 25, 50, 75, 100):
        body.append(
            f'<line x1="{coord(x(tick))}" x2="{coord(x(tick))}" y1="{top - 4}" y2="{height - 6}" '
            f'stroke="{AXIS}"/><text x="{coord(x(tick))}" y="{top - 8}" text-anchor="middle" '
            f'fill="{TEXT}">{tick}%</text>'
        )
    promised_tip = _("Promised: kept every time (100%)")
    body.append(
        f'<g class="promised"><title>{escape(promised_tip)}</title>'
        f'<line x1="{coord(x(100))}" x2="{coord(x(100))}" y1="{top - 4}" y2="{height - 6}" '
        f'stroke="{PROMISED}" stroke-width="2" stroke-dasharray="4 3"/></g>'
    )
    for i, gap in enumerate(gaps):
        y0 = top + row_h * i + 4
        name = gap.promise.label
        body.append(
            f'<text x="{left - 8}" y="{coord(y0 + 15)}" text-anchor="end" fill="#1d2327">'
            f"<title>{escape(name)}</title>{escape(_short(name))}</text>"
        )
        bars = (
            (
                "delivered",
                gap.delivered,
                gap.few_checks,
                DELIVERED,
                _("%(promise)s: delivered %(pct)s (%(n)s checks)")
                % {"promise": name, "pct": _pct(gap.delivered), "n": gap.measurable},
            ),
            (
                "perceived",
                gap.perceived,
                gap.few_answers,
                PERCEIVED,
                _("%(promise)s: perceived %(pct)s (%(n)s answers)")
                % {"promise": name, "pct": _pct(gap.perceived), "n": gap.answers},
            ),
        )
        for j, (css, value, few, colour, tip) in enumerate(bars):
            if value is None:
                continue
            y = y0 + j * 12
            fill = GREY if few else colour
            body.append(
                f'<g class="bar {css}{" low-n" if few else ""}"><title>{escape(tip)}</title>'
                f'<rect x="{left}" y="{coord(y)}" width="{coord(x(value) - left)}" height="10" '
                f'fill="{fill}"/></g>'
            )
    return svg(width, height, label, body, "chart-gaps")


def sparkline_svg(
    trend: Sequence[MonthShare], *, label: str, width: int = 180, height: int = 40
) -> SafeString:
    """The share kept per month, 0–100 %, as a small line; grey dots for few checks."""
    pad = 4
    step = (width - 2 * pad) / max(1, len(trend) - 1) if len(trend) > 1 else 0

    def xy(i: int, value: float) -> tuple[float, float]:
        return pad + step * i, pad + (100 - value) / 100 * (height - 2 * pad)

    body = [
        f'<line x1="{pad}" x2="{width - pad}" y1="{pad}" y2="{pad}" stroke="{AXIS}"/>'
        f'<line x1="{pad}" x2="{width - pad}" y1="{height - pad}" y2="{height - pad}" '
        f'stroke="{AXIS}"/>'
    ]
    run: list[str] = []
    runs: list[list[str]] = []
    for i, month in enumerate(trend):
        if month.delivered is None:
            if run:
                runs.append(run)
            run = []
            continue
        px, py = xy(i, month.delivered)
        run.append(f"{coord(px)},{coord(py)}")
    if run:
        runs.append(run)
    for points in runs:
        if len(points) > 1:
            body.append(
                f'<polyline class="line" points="{" ".join(points)}" fill="none" '
                f'stroke="{DELIVERED}" stroke-width="1.5"/>'
            )
    for i, month in enumerate(trend):
        if month.delivered is None:
            continue
        px, py = xy(i, month.delivered)
        tip = _("%(month)s: %(pct)s kept (%(n)s checks)") % {
            "month": month.label,
            "pct": _pct(month.delivered),
            "n": month.measurable,
        }
        colour = GREY if month.low_n else DELIVERED
        body.append(
            f'<g class="point{" low-n" if month.low_n else ""}"><title>{escape(tip)}</title>'
            f'<circle cx="{coord(px)}" cy="{coord(py)}" r="2.5" fill="{colour}"/></g>'
        )
    return svg(width, height, label, body, "chart-sparkline")


def distribution_svg(
    buckets: Sequence[Bucket], *, label: str, width: int = 300, height: int = 18
) -> SafeString:
    """The measured values relative to the limit as one stacked bar, green to red."""
    total = sum(b.count for b in buckets)
    body = []
    if not total:
        body.append(f'<rect x="0" y="0" width="{width}" height="{height}" fill="{AXIS}"/>')
    x = 0.0
    for bucket, colour in zip(buckets, BUCKET_COLOURS, strict=False):
        if not bucket.count:
            continue
        w = bucket.count / total * width
        tip = _("%(bucket)s: %(count)s (%(pct)s)") % {
            "bucket": bucket.label,
            "count": bucket.count,
            "pct": _pct(bucket.share(total)),
        }
        body.append(
            f'<g class="segment"><title>{escape(tip)}</title><rect x="{coord(x)}" y="0" '
            f'width="{coord(w)}" height="{height}" fill="{colour}"/></g>'
        )
        x += w
    return svg(width, height, label, body, "chart-gap-distribution")
