"""Charts as inline SVG, drawn on the server.

No JavaScript: the markup works under the strict content security policy (colours are SVG
presentation attributes and CSS classes, never `style=`), prints, and goes into the PDF report
unchanged. Each chart is `role="img"` with an `aria-label` that says what it shows; every point
or bar has a `<title>` (the browser's tooltip); the page puts an accessible table beside it.
Values over fewer than `LOW_N` answers are drawn grey, with their margin of error.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.translation import gettext as _

from ascolto.dashboards.selectors import NpsResult, NpsRow
from ascolto.lib.charts import (
    AXIS,
    BAND,
    DETRACTOR,
    GREY,
    LINE,
    PASSIVE,
    PROMOTER,
    TEXT,
    coord,
    number,
    svg,
    x_labels,
)


def nps_tooltip(label: str, result: NpsResult) -> str:
    if result.nps is None:
        return _("%(label)s: no answers") % {"label": label}
    text = _("%(label)s: NPS %(nps)s ± %(margin)s (n = %(n)s)") % {
        "label": label,
        "nps": number(result.nps),
        "margin": number(result.margin),
        "n": result.n,
    }
    if result.low_n:
        text += " · " + _("low n")
    return text


def nps_line_svg(rows: Sequence[NpsRow], *, label: str, width: int = 720, height: int = 260):
    """NPS per bucket as a line on −100…100, with the 95% margin as a band and a whisker on
    each point; points over fewer than 30 answers are grey."""
    left, right, top, bottom = 40, 12, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(1, len(rows))
    centers = [left + step * (i + 0.5) for i in range(len(rows))]

    def y(value: float) -> float:
        return top + (100 - max(-100.0, min(100.0, value))) / 200 * plot_h

    body = []
    for tick in (-100, -50, 0, 50, 100):
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{coord(y(tick))}" y2="{coord(y(tick))}" '
            f'stroke="{AXIS}" stroke-width="{1.5 if tick == 0 else 1}"/>'
            f'<text x="{left - 6}" y="{coord(y(tick) + 4)}" text-anchor="end" fill="{TEXT}">'
            f"{tick}</text>"
        )
    # Runs of consecutive buckets with answers: one band and one line per run.
    runs: list[list[int]] = []
    for i, row in enumerate(rows):
        if row.result.nps is None:
            continue
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    for run in runs:
        upper = [(centers[i], y(rows[i].result.nps + (rows[i].result.margin or 0.0))) for i in run]
        lower = [(centers[i], y(rows[i].result.nps - (rows[i].result.margin or 0.0))) for i in run]
        if len(run) > 1:
            points = " ".join(f"{coord(a)},{coord(b)}" for a, b in upper + lower[::-1])
            body.append(f'<polygon class="band" points="{points}" fill="{BAND}" opacity="0.8"/>')
            line = " ".join(f"{coord(centers[i])},{coord(y(rows[i].result.nps))}" for i in run)
            body.append(
                f'<polyline class="line" points="{line}" fill="none" stroke="{LINE}" '
                f'stroke-width="2"/>'
            )
    for i, row in enumerate(rows):
        result = row.result
        if result.nps is None:
            continue
        colour = GREY if result.low_n else LINE
        css = "point low-n" if result.low_n else "point"
        x = coord(centers[i])
        body.append(
            f'<g class="{css}"><title>{escape(nps_tooltip(row.label, result))}</title>'
            f'<line x1="{x}" x2="{x}" y1="{coord(y(result.nps + (result.margin or 0.0)))}" '
            f'y2="{coord(y(result.nps - (result.margin or 0.0)))}" stroke="{colour}" stroke-width="1.5"/>'
            f'<circle cx="{x}" cy="{coord(y(result.nps))}" r="{5 if len(rows) <= 24 else 3.5}" '
            f'fill="{"#ffffff" if result.low_n else colour}" stroke="{colour}" '
            f'stroke-width="2"/></g>'
        )
    body += x_labels([r.label for r in rows], centers, height - 12)
    return svg(width, height, label, body, "chart-line")


def _nice_max(value: int) -> int:
    if value <= 5:
        return 5
    magnitude = 10 ** (len(str(value)) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * magnitude:
            return int(factor * magnitude)
    return value


def nps_bars_svg(rows: Sequence[NpsRow], *, label: str, width: int = 720, height: int = 240):
    """Promoters, passives and detractors per bucket as stacked bars (counts)."""
    left, right, top, bottom = 48, 12, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(1, len(rows))
    bar_w = max(2.0, step * 0.7)
    centers = [left + step * (i + 0.5) for i in range(len(rows))]
    top_value = _nice_max(max([r.result.n for r in rows] or [0]))

    def h(count: int) -> float:
        return count / top_value * plot_h

    body = []
    for tick in (0, top_value // 2, top_value):
        ty = top + plot_h - h(tick)
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{coord(ty)}" y2="{coord(ty)}" '
            f'stroke="{AXIS}"/><text x="{left - 6}" y="{coord(ty + 4)}" text-anchor="end" '
            f'fill="{TEXT}">{escape(number_format(tick, 0, force_grouping=True))}</text>'
        )
    names = (
        (_("Detractors"), "detractors", DETRACTOR),
        (_("Passives"), "passives", PASSIVE),
        (_("Promoters"), "promoters", PROMOTER),
    )
    for i, row in enumerate(rows):
        base = top + plot_h
        x = coord(centers[i] - bar_w / 2)
        css = "bar low-n" if row.result.low_n else "bar"
        parts = []
        for name, attr, colour in names:
            count = getattr(row.result, attr)
            if not count:
                continue
            height_px = h(count)
            base -= height_px
            tip = _("%(label)s: %(count)s %(band)s of %(n)s") % {
                "label": row.label,
                "count": count,
                "band": name.lower(),
                "n": row.result.n,
            }
            parts.append(
                f'<rect x="{x}" y="{coord(base)}" width="{coord(bar_w)}" height="{coord(height_px)}" '
                f'fill="{colour}"><title>{escape(tip)}</title></rect>'
            )
        body.append(f'<g class="{css}">{"".join(parts)}</g>')
    body += x_labels([r.label for r in rows], centers, height - 12)
    return svg(width, height, label, body, "chart-bars")


def distribution_svg(result: NpsResult, *, label: str, width: int = 600, height: int = 44):
    """One horizontal bar: the shares of promoters, passives and detractors."""
    body = []
    x = 0.0
    bands = (
        (_("Promoters"), result.promoters, PROMOTER, "#ffffff"),
        (_("Passives"), result.passives, PASSIVE, "#1d2327"),
        (_("Detractors"), result.detractors, DETRACTOR, "#ffffff"),
    )
    if not result.n:
        body.append(f'<rect x="0" y="0" width="{width}" height="{height}" fill="{AXIS}"/>')
    for name, count, colour, ink in bands:
        if not result.n or not count:
            continue
        w = count / result.n * width
        pct = count / result.n * 100
        tip = _("%(band)s: %(count)s (%(pct)s%%)") % {
            "band": name,
            "count": count,
            "pct": number(pct),
        }
        text = (
            f'<text x="{coord(x + w / 2)}" y="{height / 2 + 5}" text-anchor="middle" '
            f'fill="{ink}" font-size="13" font-weight="bold">{escape(number(pct, 0))}%</text>'
            if w > 44
            else ""
        )
        body.append(
            f'<g><title>{escape(tip)}</title><rect x="{coord(x)}" y="0" width="{coord(w)}" '
            f'height="{height}" fill="{colour}"/>{text}</g>'
        )
        x += w
    return svg(width, height, label, body, "chart-distribution")


def breakdown_svg(rows: Sequence[NpsRow], *, label: str, width: int = 720):
    """NPS per group as dots with whiskers on a −100…100 axis, one line per group."""
    left, right, top, line_h = 180, 16, 22, 26
    height = top + line_h * max(1, len(rows)) + 8
    plot_w = width - left - right

    def x(value: float) -> float:
        return left + (max(-100.0, min(100.0, value)) + 100) / 200 * plot_w

    body = []
    for tick in (-100, -50, 0, 50, 100):
        body.append(
            f'<line x1="{coord(x(tick))}" x2="{coord(x(tick))}" y1="{top - 4}" y2="{height - 6}" '
            f'stroke="{AXIS}" stroke-width="{1.5 if tick == 0 else 1}"/>'
            f'<text x="{coord(x(tick))}" y="{top - 8}" text-anchor="middle" fill="{TEXT}">'
            f"{tick}</text>"
        )
    for i, row in enumerate(rows):
        cy = top + line_h * i + line_h / 2
        name = row.label if len(row.label) <= 28 else row.label[:27] + "…"
        body.append(
            f'<text x="{left - 8}" y="{coord(cy + 4)}" text-anchor="end" fill="#1d2327">'
            f"{escape(name)}</text>"
        )
        result = row.result
        if result.nps is None:
            continue
        colour = GREY if result.low_n else LINE
        css = "point low-n" if result.low_n else "point"
        body.append(
            f'<g class="{css}"><title>{escape(nps_tooltip(row.label, result))}</title>'
            f'<line x1="{coord(x(result.nps - (result.margin or 0.0)))}" '
            f'x2="{coord(x(result.nps + (result.margin or 0.0)))}" y1="{coord(cy)}" y2="{coord(cy)}" '
            f'stroke="{colour}" stroke-width="3" opacity="0.6"/>'
            f'<circle cx="{coord(x(result.nps))}" cy="{coord(cy)}" r="5.5" '
            f'fill="{"#ffffff" if result.low_n else colour}" stroke="{colour}" '
            f'stroke-width="2"/></g>'
        )
    return svg(width, height, label, body, "chart-breakdown")
