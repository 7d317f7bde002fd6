"""SVG charts: accessible, escaped, and low-n points greyed with their margin."""

from __future__ import annotations

from ascolto.dashboards import charts
from ascolto.dashboards.selectors import NpsResult, NpsRow


def rows() -> list[NpsRow]:
    return [
        NpsRow("2026-01", "<b>Jan</b>", NpsResult.from_counts(20, 10, 5)),
        NpsRow("2026-02", "Feb", NpsResult.from_counts(0, 0, 0)),
        NpsRow("2026-03", "Mar", NpsResult.from_counts(3, 1, 1)),
        NpsRow("2026-04", "Apr", NpsResult.from_counts(2, 2, 2)),
    ]


def test_line_chart_is_accessible_with_a_tooltip_per_point():
    svg = str(charts.nps_line_svg(rows(), label='NPS "by month"'))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-label="NPS &quot;by month&quot;"' in svg
    assert svg.count("<title>") == 3  # the empty month has no point
    assert svg.count('class="point low-n"') == 2  # March and April: fewer than 30 answers
    assert svg.count('class="point"') == 1
    assert "&lt;b&gt;Jan&lt;/b&gt;" in svg and "<b>" not in svg
    assert "style=" not in svg and "<script" not in svg
    assert "<polygon" in svg  # the margin band


def test_bars_and_breakdown_and_distribution():
    data = rows()
    bars = str(charts.nps_bars_svg(data, label="Bars"))
    assert bars.count("<rect") == 3 + 3 + 3  # three bands in each non-empty month
    breakdown = str(charts.breakdown_svg(data, label="By segment"))
    assert breakdown.count("<circle") == 3
    distribution = str(charts.distribution_svg(data[0].result, label="Split"))
    assert distribution.count("<title>") == 3 and "57" in distribution  # 20 of 35 = 57%
    empty = str(charts.distribution_svg(NpsResult.from_counts(0, 0, 0), label="Empty"))
    assert "<title>" not in empty
