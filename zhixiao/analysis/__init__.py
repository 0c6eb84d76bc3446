"""Analysis: 同比/区间达标 summaries, 短板弱项 with attribution, targets and 数据测算, anomaly signals.

Public API (imported lazily so ``import zhixiao.analysis`` stays cheap):
``summarize``, ``summarize_by_line``, ``weak_indicators``, ``attribute``, ``forecast_year_end``,
``set_target``, ``list_targets``, ``targets_progress``, ``decompose``, ``closings_needed``, ``detect_signals``.
"""

from importlib import import_module

_API = {
    "summarize": "compare", "summarize_by_line": "compare", "Summary": "compare",
    "weak_indicators": "weak", "find_weak": "weak", "Weak": "weak",
    "attribute": "attribution", "Attribution": "attribution",
    "forecast_year_end": "forecast", "forecast_from_flows": "forecast", "Forecast": "forecast",
    "set_target": "targets", "list_targets": "targets", "targets_progress": "targets", "decompose": "targets",
    "closings_needed": "targets",
    "detect_signals": "signals", "Signal": "signals",
}
__all__ = sorted(_API)


def __getattr__(name: str):
    if name in _API:
        return getattr(import_module(f"zhixiao.analysis.{_API[name]}"), name)
    raise AttributeError(name)
