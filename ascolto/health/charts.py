"""A customer's score history as inline SVG (the drawing rules of `ascolto/lib/charts.py`): the
score per day on 0–100, the level limits as faint lines, and a dashed mark where the
workspace's weights or bands changed."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ascolto.health.models import HealthScore
from ascolto.lib.charts import AXIS, GREY, LINE, TEXT, coord, svg


def history_svg(
    history: Sequence[HealthScore],
    *,
    width: int = 300,
    height: int = 110,
    limits: Sequence[int] = (75, 50, 25),
) -> SafeString:
    pad_l, pad_r, pad_t, pad_b = 26, 6, 6, 18
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b
    first, last = history[0].day, history[-1].day
    span = max(1, (last - first).days)

    def x(day) -> float:
        return pad_l + (day - first).days / span * plot_w

    def y(score: float) -> float:
        return pad_t + (100 - score) / 100 * plot_h

    body = []
    for limit in (100, *limits, 0):
        body.append(
            f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{coord(y(limit))}" '
            f'y2="{coord(y(limit))}" stroke="{AXIS}"/>'
            f'<text x="{pad_l - 4}" y="{coord(y(limit) + 3)}" text-anchor="end" '
            f'fill="{TEXT}">{limit}</text>'
        )
    previous_version = history[0].settings_version
    for item in history[1:]:
        if item.settings_version != previous_version:
            tip = _("Weights or bands changed on %(day)s") % {
                "day": date_format(item.day, "SHORT_DATE_FORMAT")
            }
            body.append(
                f'<g class="config-change"><title>{escape(tip)}</title>'
                f'<line x1="{coord(x(item.day))}" x2="{coord(x(item.day))}" y1="{pad_t}" '
                f'y2="{pad_t + plot_h}" stroke="{GREY}" stroke-dasharray="3 3"/></g>'
            )
        previous_version = item.settings_version
    points = [(x(s.day), y(s.score)) for s in history if s.score is not None]
    if len(points) > 1:
        body.append(
            f'<polyline class="line" points="{" ".join(f"{coord(a)},{coord(b)}" for a, b in points)}"'
            f' fill="none" stroke="{LINE}" stroke-width="1.5"/>'
        )
    for s in history:
        if s.score is None:
            continue
        tip = _("%(day)s: %(score)s out of 100") % {
            "day": date_format(s.day, "SHORT_DATE_FORMAT"),
            "score": s.score,
        }
        body.append(
            f'<g class="point"><title>{escape(tip)}</title><circle cx="{coord(x(s.day))}" '
            f'cy="{coord(y(s.score))}" r="2" fill="{LINE}"/></g>'
        )
    body.append(
        f'<text x="{pad_l}" y="{height - 4}" fill="{TEXT}">'
        f"{escape(date_format(first, 'SHORT_DATE_FORMAT'))}</text>"
        f'<text x="{width - pad_r}" y="{height - 4}" text-anchor="end" fill="{TEXT}">'
        f"{escape(date_format(last, 'SHORT_DATE_FORMAT'))}</text>"
    )
    label = _("Health score from %(first)s to %(last)s") % {
        "first": date_format(first, "SHORT_DATE_FORMAT"),
        "last": date_format(last, "SHORT_DATE_FORMAT"),
    }
    return svg(width, height, label, body, "chart-health-history")
