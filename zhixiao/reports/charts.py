"""Briefing charts as PNG bytes (matplotlib, Agg) with a CJK font found through fontconfig — no tofu.

Uses ``Figure`` directly (not pyplot) so no global state or display is needed.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from zhixiao.errors import UserError
from zhixiao.reports.model import Chart

# Preferred CJK faces, best first (Debian fonts-noto-cjk provides the Noto ones).
CJK_PREFERENCE = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei",
                  "SimHei", "Microsoft YaHei")
PANELS_WIDTH_CM = 15.0  # the width the .docx prints the 短板 panels at (docx_builder: trend and panels 15 cm)


@functools.cache
def cjk_font() -> str:
    """Register a CJK font file with matplotlib and return its family name."""
    paths: list[str] = []
    if shutil.which("fc-match"):
        for fam in CJK_PREFERENCE:
            out = subprocess.run(["fc-match", "-f", "%{file}|%{family}", f"{fam}:lang=zh-cn"],
                                 capture_output=True, text=True, check=False).stdout
            path, _, family = out.partition("|")
            if path and any(p.lower() in family.lower() for p in CJK_PREFERENCE):
                paths.append(path)
                break
    if not paths and shutil.which("fc-list"):
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, check=False).stdout
        paths = [line.split(":")[0].strip() for line in out.splitlines() if line.strip()]
    for path in paths:
        try:
            font_manager.fontManager.addfont(path)
            return font_manager.FontProperties(fname=path).get_name()
        except (OSError, RuntimeError):
            continue
    raise UserError("未找到可用的中文字体，图表中的汉字无法显示。请安装 fonts-noto-cjk"
                    "（运行 scripts/setup.sh，或 apt-get install fonts-noto-cjk）后重试。")


def _figure(rows: int | None = None, panels: int = 1) -> tuple[Figure, list]:
    """Trend charts 7.2×3.6 in; bar charts grow with their number of bars."""
    height = 3.6 if rows is None else min(4.0, max(1.8, 1.0 + 0.32 * rows))  # one row still leaves room
    fig = Figure(figsize=(7.2, height), dpi=120)
    widths = {"width_ratios": [2, 1]} if panels == 2 else {}
    axes = fig.subplots(1, panels, gridspec_kw=widths or None)
    return fig, list(axes) if panels > 1 else [axes]


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return buf.getvalue()


def _label(v: float, unit: str) -> str:
    if unit == "rate":
        return f"{v:.2f}%"
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.2f}"


def _grouped_bars(ax, categories: list[str], series: dict[str, list], colors: dict[str, str]) -> None:
    """Few points (a two-month period): grouped bars with their values, never a line between two points."""
    n = len(series)
    width = 0.8 / max(n, 1)
    for j, (name, values) in enumerate(series.items()):
        xs = [i - 0.4 + width * (j + 0.5) for i in range(len(categories))]
        vals = [0 if v is None else v for v in values]
        bars = ax.bar(xs, vals, width, label=name, color=colors[name], alpha=0.55 if "上年" in name else 1.0)
        ax.bar_label(bars, labels=[_label(v, "count") for v in vals], fontsize=7, padding=1)
    ax.set_xticks(range(len(categories)), categories, fontsize=8)


def _lines(ax, categories: list[str], series: dict[str, list], colors: dict[str, str]) -> None:
    x = list(range(len(categories)))
    for name, values in series.items():
        ys = [float("nan") if v is None else v for v in values]
        ax.plot(x, ys, "--" if "上年" in name else "-", marker="o", markersize=3, label=name, color=colors[name],
                alpha=0.6 if "上年" in name else 1.0)
        if "上年" not in name:
            for xi, v in zip(x, values, strict=True):
                if v is not None:
                    ax.annotate(_label(v, "count"), (xi, v), textcoords="offset points", xytext=(0, 4), fontsize=6,
                                ha="center")
    ax.set_xticks(x, categories, rotation=45 if len(x) > 8 else 0, fontsize=8)


def _colors(names: list[str]) -> dict[str, str]:
    bases: list[str] = []
    out = {}
    for name in names:
        base = name.split("（")[0]
        if base not in bases:
            bases.append(base)
        out[name] = f"C{bases.index(base)}"
    return out


def _trend(fig: Figure, axes: list, chart: Chart) -> None:
    """Flows (新收、结案) and the stock (月末未结) in two panels — never on one axis."""
    few = len(chart.categories) <= 3
    draw = _grouped_bars if few else _lines
    flows, stock = axes[0], axes[1] if len(axes) > 1 else None
    draw(flows, chart.categories, chart.series, _colors(list(chart.series)))
    flows.set_ylabel("件", rotation=0, labelpad=10)
    flows.set_title("新收与结案", fontsize=9)
    flows.grid(alpha=0.3, axis="y")
    handles, labels = flows.get_legend_handles_labels()
    if stock is not None and chart.stock:
        draw(stock, chart.categories, chart.stock, {n: ("#7F7F7F" if "上年" in n else "#C55A11") for n in chart.stock})
        stock.set_title("月末未结", fontsize=9)
        stock.grid(alpha=0.3, axis="y")
        h2, l2 = stock.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    fig.legend(handles, labels, fontsize=7, ncols=3, loc="lower center", bbox_to_anchor=(0.5, -0.08), frameon=False)


def range_limits(values: list[float], ranges: list, unit: str) -> tuple[float, float]:
    """The value axis of a range chart (in %, for a rate): the figures and the 合理区间's finite ends with a
    margin, so a band the figures fall short of stays in view; a rate axis never below 0 nor past 100% unless
    a figure is (a 结收比 of 100.47%), a band's open end (结收比 ≤150%) clipped there."""
    scale = 100 if unit == "rate" else 1
    cap = max([100.0, *values]) if unit == "rate" else float("inf")
    ends = [min(e * scale, cap) for rng in ranges if rng for e in rng if e is not None]
    pts = [*values, *ends] or [0.0]
    lo, hi = min(pts), max(pts)
    pad = max(hi - lo, 2.0 if unit == "rate" else 1.0) * 0.08 + (0.5 if unit == "rate" else 0)
    low, high = max(0.0, lo - pad) if lo >= 0 else lo - pad, hi + pad
    if unit == "rate":
        high = min(high, 100.0) if max(values, default=0) <= 100 else min(high, cap + pad)
    return low, high


def _range(ax, chart: Chart) -> None:
    """Each indicator's value as a dot with its label, its 合理区间 as a shaded band behind it."""
    scale = 100 if chart.unit == "rate" else 1
    vals = [None if v is None else v * scale for v in chart.series["数值"]]
    y = list(range(len(chart.categories)))
    xs = [v for v in vals if v is not None]
    low, high = range_limits(xs, chart.ranges or [], chart.unit)
    for i, rng in enumerate(chart.ranges or []):
        if not rng:
            continue
        lo_v = low if rng[0] is None else max(low, rng[0] * scale)
        hi_v = high if rng[1] is None else min(high, rng[1] * scale)
        ax.barh(i, hi_v - lo_v, left=lo_v, height=0.6, color="#A9D18E", alpha=0.45,
                label="合理区间" if i == 0 or not any((chart.ranges or [])[:i]) else None)
    ax.scatter(xs, [i for i, v in zip(y, vals, strict=True) if v is not None], color="#1F4E79", zorder=3, label="本期数值")
    for i, v in zip(y, vals, strict=True):
        if v is not None:
            ax.annotate(_label(v, chart.unit), (v, i), textcoords="offset points", xytext=(0, 7), fontsize=7,
                        ha="center", color="#1F4E79")
    ax.set_yticks(y, chart.categories, fontsize=8)
    ax.set_ylim(len(y) - 0.4, -0.8)
    ax.set_xlim(low, high)
    if chart.unit == "rate":  # "85%" on the ticks: no "%" axis label for the legend to collide with
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0 if high - low >= 5 else 1))
    ax.tick_params(axis="x", labelsize=8)
    # legend above the plot, right-aligned beside the title: never on the dots, the band or the tick labels
    ax.legend(fontsize=7, ncols=2, loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False, borderaxespad=0.2)


def _bars(ax, chart: Chart) -> None:
    name, values = next(iter(chart.series.items()))
    y = list(range(len(chart.categories)))
    vals = [0 if v is None else v for v in values]
    bars = ax.barh(y, vals, color=["#C00000" if v > 0 else "#70AD47" for v in vals])
    ax.bar_label(bars, labels=[f"{v:+.2f}".replace("-", "−") for v in vals], fontsize=7, padding=2)
    ax.set_yticks(y, chart.categories, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(name)
    ax.axvline(0, color="black", linewidth=0.8)
    lo, hi = min(vals + [0]), max(vals + [0])
    pad = (hi - lo) * 0.25 or 1
    ax.set_xlim(lo - (pad if lo < 0 else 0), hi + pad)


def render(chart: Chart) -> bytes:
    """PNG of one chart spec (drawn inside the font context too: tick text is formatted at draw time)."""
    with _rc():
        return _png(figure(chart))


def _rc():
    return matplotlib.rc_context({"font.family": [cjk_font()], "axes.unicode_minus": False})


def figure(chart: Chart) -> Figure:
    """The matplotlib figure of one chart spec (tests read its axes)."""
    with _rc():
        if chart.kind == "trend":
            fig, axes = _figure(None, 2 if chart.stock else 1)
            _trend(fig, axes, chart)
            fig.suptitle(chart.title, fontsize=11)
        elif chart.kind == "panels":
            panels = chart.panels or []
            rows = (len(panels) + 1) // 2
            # drawn at the width the .docx prints it (15 cm), so the type is printed at its own size (7.5 pt
            # ticks) instead of being shrunk with the picture; a figure holds at most six panels (sections.weak)
            fig = Figure(figsize=(PANELS_WIDTH_CM / 2.54, 2.1 * rows), dpi=130)
            axes = fig.subplots(rows, 2, squeeze=False).ravel()
            for ax, panel in zip(axes, panels, strict=False):
                _bars(ax, panel)
                ax.set_title(panel.title, fontsize=8.5)
                ax.tick_params(labelsize=7.5)
                ax.xaxis.label.set_size(8)
                for t in ax.texts:  # the value labels
                    t.set_fontsize(7.5)
            for ax in axes[len(panels):]:
                ax.set_visible(False)
        else:
            fig, (ax,) = _figure(len(chart.categories))
            if chart.kind == "range":
                _range(ax, chart)
            elif chart.kind == "bars":
                _bars(ax, chart)
            else:
                raise ValueError(f"unknown chart kind {chart.kind}")
            ax.set_title(chart.title, fontsize=11, loc="left" if chart.kind == "range" else "center")
        fig.tight_layout()
        return fig
