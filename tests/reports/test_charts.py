"""The .docx charts (matplotlib) read back from their figures: a rate axis stops at 100% unless a figure is
above it, the 合理区间 band stays in view even when the figure falls short of it, and the legend sits off the
data, the band and the tick labels (issue 17 §1, charts)."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from zhixiao.reports.charts import figure, range_limits, render
from zhixiao.reports.model import Chart

EFFICIENCY = Chart("range", "效率指标与合理区间", ["民事简易程序适用率", "结案率", "结收比"],
                   {"数值": [0.7026, 0.8566, 1.0047]}, [(0.9, 1.0), (0.93, 1.0), (1.0, 1.5)], unit="rate")
EFFECT = Chart("range", "效果指标与合理区间", ["一审服判息诉率"], {"数值": [0.9410]}, [(0.85, 1.0)], unit="rate")
ENFORCEMENT = Chart("range", "执行质效指标（比率）", ["执行完毕率", "执行异议审限内结案率", "执行异议裁定被改变率"],
                    {"数值": [0.4261, 0.9640, 0.0090]}, [None, None, None], unit="rate")


def test_range_limits_hand_computed():
    # 70.26 … 100.47 (结收比 above 100%; its band's open end 150% clipped to 100.47): margin 30.21 × 8% + 0.5
    lo, hi = range_limits([70.26, 85.66, 100.47], [(0.9, 1.0), (0.93, 1.0), (1.0, 1.5)], "rate")
    assert (lo, hi) == pytest.approx((70.26 - 2.9168, 100.47 + 2.9168))
    # 94.10 in 85–100: the band's ends set the axis, which stops at 100%
    assert range_limits([94.10], [(0.85, 1.0)], "rate") == pytest.approx((85 - 1.7, 100.0))
    # 0.90 … 96.40, no band: 0 to 100%, not 104.5%
    assert range_limits([42.61, 96.40, 0.90], [None, None, None], "rate") == pytest.approx((0.0, 100.0))


def _drawn(chart: Chart):
    fig = figure(chart)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return fig, fig.axes[0], canvas.get_renderer()


@pytest.mark.parametrize("chart", [EFFICIENCY, EFFECT, ENFORCEMENT], ids=["efficiency", "effect", "enforcement"])
def test_rate_axis_and_legend(chart):
    fig, ax, renderer = _drawn(chart)
    lo, hi = ax.get_xlim()
    values = [v * 100 for v in chart.series["数值"]]
    assert lo >= 0 and lo <= min(values) and max(values) <= hi
    assert hi <= (100.0 if max(values) <= 100 else max(values) + 3)
    for rng in chart.ranges:
        if rng:  # the band's finite ends within the axis (clipped at the axis end), so the band shows
            assert lo <= rng[0] * 100 <= hi
    legend = ax.get_legend().get_window_extent(renderer)
    assert legend.y0 >= ax.get_window_extent(renderer).y1 - 1  # above the plot: off the dots and the band
    title = ax.title.get_window_extent(renderer)
    assert not legend.overlaps(title)
    for label in ax.get_xticklabels() + ax.get_yticklabels():
        if label.get_text():
            assert not legend.overlaps(label.get_window_extent(renderer)), label.get_text()
    assert all(t.get_text().endswith("%") for t in ax.get_xticklabels() if t.get_text())
    assert ax.get_xlabel() == ""


def test_band_a_figure_falls_short_of_is_drawn():
    _fig, ax, _r = _drawn(EFFICIENCY)
    bands = [p for p in ax.patches if p.get_height() == pytest.approx(0.6)]
    # 结案率 85.66% against 93%–100%: the band spans 93 → 100 on the axis
    row = next(b for b in bands if b.get_y() == pytest.approx(1 - 0.3))
    assert (row.get_x(), row.get_x() + row.get_width()) == pytest.approx((93.0, 100.0))
    # 结收比's 100%–150% band is cut at the axis end, not drawn to 150%
    top = next(b for b in bands if b.get_y() == pytest.approx(2 - 0.3))
    assert top.get_x() + top.get_width() == pytest.approx(ax.get_xlim()[1])


def test_render_is_a_png():
    png = render(EFFECT)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
