"""Small shared helpers: rule files, working-day arithmetic, 案号 parsing, month and quarter arithmetic,
and the message every register gives when asked to store a key it already holds.

The work calendar and the 案号 parser are the domain layer's; these wrappers turn their errors into
sentences naming the input.
"""

from __future__ import annotations

import calendar as _cal
import re
import tomllib
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from zhixiao.domain.calendar import WorkCalendar, load_calendar
from zhixiao.domain.case_number import CaseNumberError, parse_case_number
from zhixiao.errors import UserError
from zhixiao.store.cases import CaseStore

RULES_DIR = Path(__file__).resolve().parent.parent / "data" / "rules"


@lru_cache(maxsize=32)
def _load_packaged(name: str) -> dict:
    return tomllib.loads((RULES_DIR / f"{name}.toml").read_text("utf-8"))


def load_rules(name: str, settings: Any = None) -> dict:
    """Packaged ``data/rules/<name>.toml``, overridden by ``settings.rules[name]`` (a path or a table)."""
    base = _load_packaged(name)
    override = (getattr(settings, "rules", None) or {}).get(name) if settings is not None else None
    if override is None:
        return base
    if isinstance(override, str):
        p = Path(override)
        if not p.is_file():
            raise UserError(f"规则文件 {override} 不存在，请检查配置文件中 [rules] {name} 的路径。")
        override = tomllib.loads(p.read_text("utf-8"))
    return _merge(base, override)


def _merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(a[k], v) if isinstance(v, dict) and isinstance(a.get(k), dict) else v
    return out


# ---- working days and 案号 (domain layer) -------------------------------------------------------------

def work_calendar(settings: Any = None) -> WorkCalendar:
    """The court's WorkCalendar (its overrides when ``settings`` is given)."""
    return load_calendar(settings) if settings is not None else WorkCalendar()


def workdays_after(cal: WorkCalendar, a: date, b: date) -> int:
    """Working days after ``a`` up to and including ``b`` (how late something due on ``a`` is on ``b``)."""
    return cal.workdays_between(a + timedelta(days=1), b)


def normalize_case_number(text: str) -> tuple[str, str, int]:
    """(normalised 案号, court_code, year); raises UserError naming the input."""
    try:
        cn = parse_case_number((text or "").strip())
    except CaseNumberError as exc:
        raise UserError(f"案号“{text}”无法识别：{exc}") from None
    return cn.normalized, cn.court_code, int(cn.year)


# ---- dates ----------------------------------------------------------------------------------------

def add_months(d: date, months: int) -> date:
    """Month arithmetic "不分大小月": the corresponding day, else the month's last day (SPC 2014, REFERENCE §2.2)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, _cal.monthrange(year, month)[1]))


def parse_quarter(text: str) -> tuple[date, date]:
    """'2026Q3' → (2026-07-01, 2026-09-30)."""
    m = re.fullmatch(r"\s*(\d{4})\s*[Qq]([1-4])\s*", text or "")
    if not m:
        raise UserError(f"季度“{text}”格式不正确，请写成 2026Q3 这样的形式。")
    year, q = int(m.group(1)), int(m.group(2))
    start = date(year, 3 * q - 2, 1)
    return start, add_months(start, 3) - timedelta(days=1)


def ratio(num: float, den: float) -> float | None:
    return None if not den else num / den


def pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


# ---- case store look-ups ----------------------------------------------------------------------------

def case_index(data_dir: Path | str) -> dict[str, dict]:
    """case_id → {court_code, judge_id, judge_name, division} for linking tickets and suggestions."""
    cols = ["case_id", "court_code", "judge_id", "judge_name", "division"]
    t = CaseStore(data_dir).read("cases", columns=cols).to_pydict()
    return {cid: {c: t[c][i] for c in cols} for i, cid in enumerate(t["case_id"])}


# ---- keys --------------------------------------------------------------------------------------------

class DuplicateKey(UserError):
    """A register already holds the key. ``ref`` is the stored record's key as its update takes it (T1, a
    petition's id), so that a caller may add its own way to change it (the CLI its update command; a page has
    the form beside the record)."""

    def __init__(self, message: str, ref: str) -> None:
        super().__init__(message)
        self.ref = ref


def duplicate_key(register: str, key: str, held: str, record: str, ref: str) -> DuplicateKey:
    """The refusal every register gives for a key it already holds: storing it again would overwrite
    (or double-count) the stored record, so the user is sent to change that record, which is audited.

    ``held`` says whose record it is and from when (court, date), ``record`` names it (工单 T1). The sentence
    names no command: the services serve the CLI and the web alike."""
    return DuplicateKey(f"{register}中已有{key}（{held}），未重复登记；如需修改，请修改已登记的{record}。", ref)
