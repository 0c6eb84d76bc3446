"""Briefing charts as PNG bytes (matplotlib, Agg) with a CJK font found through fontconfig — no tofu.

Uses ``Figure`` directly (not pyplot) so no global state or display is needed.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess

from matplotlib import font_manager
from matplotlib.figure import Figure

from zhixiao.errors import UserError
from zhixiao.reports.model import Chart

# Preferred CJK faces, best first (Debian fonts-noto-cjk provides the Noto ones).
CJK_PREFERENCE = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei",
                  "SimHei", "Microsoft YaHei")


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


def _figure(rows: int | None = None) -> tuple[Figure, object]:
    """Line charts 7.2×3.6 in; bar charts grow with their number of bars."""
    height = 3.6 if rows is None else min(6.0, 1.3 + 0.42 * rows)
    fig = Figure(figsize=(7.2, height), dpi=120)
    ax = fig.add_subplot(1, 1, 1)
    return fig, ax


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def render(chart: Chart) -> bytes:
    """PNG of one chart spec."""
    family = cjk_font()
    import matplotlib

    with matplotlib.rc_context({"font.family": [family], "axes.unicode_minus": False}):
        fig, ax = _figure(None if chart.kind == "trend" else len(chart.categories))
        if chart.kind == "trend":
            x = list(range(len(chart.categories)))
            bases: list[str] = []
            for name, values in chart.series.items():
                base = name.split("（")[0]
                if base not in bases:
                    bases.append(base)
                ys = [float("nan") if v is None else v for v in values]
                ax.plot(x, ys, "--" if "上年" in name else "-", marker="o", markersize=3, label=name,
                        color=f"C{bases.index(base)}", alpha=0.6 if "上年" in name else 1.0)
            ax.set_xticks(x, chart.categories, rotation=45 if len(x) > 8 else 0, fontsize=8)
            ax.set_ylabel("件", rotation=0, labelpad=12)
            ax.legend(fontsize=8, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.1), frameon=False)
            ax.grid(alpha=0.3)
        elif chart.kind == "range":
            vals = [v * 100 if (v is not None and chart.unit == "rate") else v for v in chart.series["数值"]]
            y = list(range(len(chart.categories)))
            ax.barh(y, [0 if v is None else v for v in vals], color="#4472C4", label="数值")
            for i, rng in enumerate(chart.ranges or []):
                if not rng:
                    continue
                lo, hi = rng
                scale = 100 if chart.unit == "rate" else 1
                lo_v = 0 if lo is None else lo * scale
                hi_v = (max(vals[i] or 0, lo_v) * 1.1 if hi is None else hi * scale)
                ax.plot([lo_v, hi_v], [i, i], color="#70AD47", linewidth=6, alpha=0.5,
                        label="合理区间" if i == 0 else None)
            ax.set_yticks(y, chart.categories, fontsize=8)
            ax.invert_yaxis()
            ax.set_xlabel("%" if chart.unit == "rate" else "")
            ax.legend(fontsize=8)
        elif chart.kind == "bars":
            name, values = next(iter(chart.series.items()))
            y = list(range(len(chart.categories)))
            vals = [0 if v is None else v for v in values]
            ax.barh(y, vals, color=["#C00000" if v > 0 else "#70AD47" for v in vals])
            ax.set_yticks(y, chart.categories, fontsize=8)
            ax.invert_yaxis()
            ax.set_xlabel(name)
            ax.axvline(0, color="black", linewidth=0.8)
        else:
            raise ValueError(f"unknown chart kind {chart.kind}")
        ax.set_title(chart.title, fontsize=11)
        return _png(fig)
