"""Gaming and anomaly signals (数据异常信号): patterns that make indicators look better than the work.

December 立案 suppression, year-end closing surges, deductions/suspensions started just before the
deadline, withdraw-then-refile pairs, and judges whose 延长审限率 or 首执终本率 is an outlier. Each
signal carries the cases behind it. Thresholds live in ``data/rules/signals.toml`` (overridable under
``[rules.signals]`` in zhixiao.toml). A signal is a lead for review, not a finding.
"""

from __future__ import annotations

import math
import statistics
import tomllib
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from importlib import resources

import ibis
import pandas as pd

from zhixiao.analysis import flows

KIND_NAMES = {
    "december_filing_suppression": "12月立案压降",
    "year_end_closing_surge": "年底突击结案",
    "deduction_before_deadline": "临近届满扣除/中止审限",
    "withdraw_refile": "撤诉后再起诉",
    "judge_extension_outlier": "法官延长审限率异常",
    "judge_terminal_outlier": "法官首执终本率异常",
}
MAX_LISTED = 500  # cases listed per signal (the count is always complete)


@dataclass
class Signal:
    kind: str
    title: str
    court_code: str | None
    subject: str  # court code, judge id …
    subject_name: str
    value: float | None
    expected: float | None
    threshold: float | None
    explanation: str
    cases: list[dict] = field(default_factory=list)
    case_count: int = 0
    source: str = "data/rules/signals.toml"

    def to_dict(self) -> dict:
        return asdict(self)


def load_rules(overrides: dict | None = None) -> dict:
    raw = tomllib.loads(resources.files("zhixiao.data").joinpath("rules/signals.toml").read_text("utf-8"))
    for section, values in (overrides or {}).items():
        raw.setdefault(section, {}).update(values)
    return raw


def detect_signals(engine, court_code: str, start: date, end: date, *, rules: dict | None = None,
                   kinds: tuple[str, ...] | None = None) -> list[Signal]:
    """All signals for one court in [start, end]. ``rules`` overrides sections of signals.toml."""
    r = load_rules(rules)
    found: list[Signal] = []
    detectors = {
        "december_filing_suppression": lambda: december_suppression(engine, court_code, start, end, r["december_filing"]),
        "year_end_closing_surge": lambda: year_end_surge(engine, court_code, start, end, r["year_end_surge"]),
        "deduction_before_deadline": lambda: deductions_before_deadline(
            engine, court_code, start, end, r["deduction_before_deadline"]),
        "withdraw_refile": lambda: withdraw_refile(engine, court_code, start, end, r["withdraw_refile"]),
        "judge_outlier": lambda: judge_outliers(engine, court_code, start, end, r["judge_outlier"]),
    }
    for name, fn in detectors.items():
        if kinds is None or name in kinds or (name == "judge_outlier" and set(kinds) & {
                "judge_extension_outlier", "judge_terminal_outlier"}):
            found += fn()
    return [s for s in found if kinds is None or s.kind in kinds]


def _decembers(start: date, end: date) -> list[int]:
    return [y for y in range(start.year, end.year + 1) if start <= date(y, 12, 1) and date(y, 12, 31) <= end]


def _by_year(frame: pd.DataFrame, col: str) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for y, g in frame.groupby("year"):
        s = g.set_index("month")[col]
        out[int(y)] = [int(s.get(m, 0)) for m in range(1, 13)]
    return out


def _case_rows(t: ibis.Table, limit: int = MAX_LISTED) -> tuple[list[dict], int]:
    cols = ["case_id", "judge_id", "judge_name", "division", "cause", "filing_date", "closing_date", "closing_method"]
    n = int(t.count().to_pyarrow().as_py())
    sel = t.select(*cols)
    df = sel.order_by([sel.filing_date.asc(nulls_first=False), sel.case_id]).limit(limit).to_pandas()
    return _records(df), n


def _records(df: pd.DataFrame) -> list[dict]:
    rows = df.astype(object).where(df.notnull(), None).to_dict("records")
    for r in rows:
        for k, v in r.items():
            if isinstance(v, pd.Timestamp):
                r[k] = v.date()
    return rows


def _december(engine, court_code: str, y: int, history: int, col: str) -> tuple[list[int] | None, list[float], float]:
    """Year ``y``'s monthly counts of ``col``, earlier years' December ÷ (Jan–Nov total) ratios, and the
    relative variance of their pooled ratio (Poisson counts: 1/ΣDec + 1/ΣJan–Nov)."""
    frame = flows.monthly(engine, court_code, date(y - history, 1, 1), date(y, 12, 31))
    years = _by_year(frame, col)
    past = [v for h, v in years.items() if h < y and sum(v[:11]) > 0]
    dec, rest = sum(v[11] for v in past), sum(sum(v[:11]) for v in past)
    rel_var = (1 / dec if dec else 1.0) + (1 / rest if rest else 0.0)
    return years.get(y), [v[11] / sum(v[:11]) for v in past], rel_var


def _z(actual: float, expected: float, rel_var: float) -> float:
    """Standardised gap: Poisson noise of this December plus the uncertainty of the seasonal expectation."""
    return (actual - expected) / math.sqrt(expected + expected**2 * rel_var) if expected > 0 else 0.0


def december_suppression(engine, court_code: str, start: date, end: date, rule: dict) -> list[Signal]:
    """December filings far below what Jan–Nov and earlier years' December share predict."""
    out = []
    for y in _decembers(start, end):
        cur, hist, rel_var = _december(engine, court_code, y, rule["history_years"], "filings")
        if not cur or not hist:
            continue
        expected = sum(cur[:11]) * statistics.mean(hist)
        ratio = cur[11] / expected if expected else None
        if (expected < rule["min_expected"] or ratio is None or ratio >= rule["min_ratio"]
                or _z(cur[11], expected, rel_var) > -rule["z_min"]):
            continue
        t = flows.scope(engine, court_code)
        jan = t.filter((t.filing_date >= date(y + 1, 1, 1))
                       & (t.filing_date < date(y + 1, 1, 1) + timedelta(days=rule["january_days"])))
        cases, n = _case_rows(jan)
        out.append(Signal(
            "december_filing_suppression", KIND_NAMES["december_filing_suppression"], court_code, court_code,
            court_code, cur[11], round(expected, 1), rule["min_ratio"],
            f"{y}年12月新收{cur[11]}件，按1–11月收案和往年12月占比预计约{expected:.0f}件，仅为预期的{ratio:.0%}"
            f"（阈值{rule['min_ratio']:.0%}）；" + (f"列出次年1月前{rule['january_days']}日立案的{n}件，供核查是否压案至次年。"
                                           if n else "数据中尚无次年1月立案，待导入后可核查是否压案至次年。"),
            cases, n))
    return out


def year_end_surge(engine, court_code: str, start: date, end: date, rule: dict) -> list[Signal]:
    """December closings far above the Jan–Nov monthly mean, more than earlier years showed."""
    out = []
    for y in _decembers(start, end):
        cur, shares, rel_var = _december(engine, court_code, y, rule["history_years"], "closings")
        if not cur or cur[11] < rule["min_closings"] or sum(cur[:11]) == 0:
            continue
        ratio = cur[11] / (sum(cur[:11]) / 11)  # December against the Jan–Nov monthly mean
        hist = [11 * x for x in shares]
        limit = statistics.mean(hist) * rule["factor"] if hist else rule["no_history_ratio"]
        if ratio <= limit:
            continue
        if hist and _z(cur[11], sum(cur[:11]) * statistics.mean(shares) * rule["factor"], rel_var) < rule["z_min"]:
            continue  # above the line, but not by more than noise can explain
        t = flows.scope(engine, court_code)
        late = t.filter((t.closing_date > date(y, 12, 31) - timedelta(days=rule["last_days"]))
                        & (t.closing_date <= date(y, 12, 31)))
        cases, n = _case_rows(late)
        basis = f"往年同期均值{statistics.mean(hist):.2f}倍的{rule['factor']}倍" if hist else f"无往年数据时的{limit}倍"
        out.append(Signal(
            "year_end_closing_surge", KIND_NAMES["year_end_closing_surge"], court_code, court_code, court_code,
            round(ratio, 3), round(statistics.mean(hist), 3) if hist else None, round(limit, 3),
            f"{y}年12月结案{cur[11]}件，是1–11月月均的{ratio:.2f}倍，超过{basis}；列出12月最后{rule['last_days']}日结案的{n}件。",
            cases, n))
    return out


def _standing_deadline(case: dict, events: list, on: date, calendar):
    """The raw deadline as it stood on ``on``: the case's limit, extensions and deductions that ended before."""
    from zhixiao.domain.time_limits import compute_deadline

    before = [e for e in events if e.start_date < on]
    ext = [(int(e.months or 0), int(e.days or 0)) for e in before if e.kind == "extension"]
    ded = [(e.start_date, e.end_date, e.kind) for e in before
           if e.kind in ("deduction", "suspension") and e.end_date is not None and e.end_date < on]
    restarts = [e.start_date for e in before if e.kind == "restart"]
    changes = [(e.start_date, e.detail) for e in before if e.kind == "procedure_change" and e.detail]
    try:
        res = compute_deadline(case["procedure"], case["filing_date"], extensions=ext, deductions=ded, restarts=restarts,
                               procedure_changes=changes, as_of=on - timedelta(days=1), calendar=calendar,
                               tags=list(case.get("tags") or []), roll_forward=False)
    except (ValueError, KeyError, TypeError):
        return None
    return res.raw_deadline


def deductions_before_deadline(engine, court_code: str, start: date, end: date, rule: dict) -> list[Signal]:
    """Deducted periods that begin within ``days_before`` days of the deadline as it stood that day."""
    from zhixiao.domain.calendar import WorkCalendar

    ev, cs = engine.case_events, flows.scope(engine, court_code)
    hits = ev.filter(ev.kind.isin(list(rule["kinds"])) & (ev.start_date >= start) & (ev.start_date <= end))
    ids = hits.select("case_id").distinct()
    cases = cs.semi_join(ids, "case_id").select("case_id", "procedure", "filing_date", "tags", "judge_id",
                                                 "judge_name", "division", "cause").to_pyarrow().to_pylist()
    if not cases:
        return []
    allev = ev.semi_join(ids, "case_id").select("case_id", "kind", "start_date", "end_date", "months", "days",
                                                 "detail").to_pandas()
    for c in ("start_date", "end_date"):
        allev[c] = [None if pd.isna(x) else pd.Timestamp(x).date() for x in allev[c]]
    by_case: dict[str, list] = {}
    for e in allev.itertuples(index=False):
        by_case.setdefault(e.case_id, []).append(e)
    cal = WorkCalendar()
    found, total = [], 0
    for case in cases:
        evs = by_case.get(case["case_id"], [])
        for e in evs:
            if e.kind not in rule["kinds"] or not (start <= e.start_date <= end):
                continue
            total += 1
            dl = _standing_deadline(case, evs, e.start_date, cal)
            if dl is None:
                continue
            lead = (dl - e.start_date).days
            if 0 <= lead <= rule["days_before"]:
                found.append({"case_id": case["case_id"], "judge_id": case["judge_id"], "judge_name": case["judge_name"],
                              "division": case["division"], "kind": e.kind, "start_date": e.start_date,
                              "deadline": dl, "days_before": lead})
    if not found:
        return []
    found.sort(key=lambda d: (d["start_date"], d["case_id"]))
    return [Signal(
        "deduction_before_deadline", KIND_NAMES["deduction_before_deadline"], court_code, court_code, court_code,
        len(found), None, rule["days_before"],
        f"期间内{total}次扣除/中止审限中，{len(found)}次在审限届满前{rule['days_before']}日内开始"
        f"（占{len(found) / total:.0%}），请逐案核查扣除事由和起止材料。",
        found[:MAX_LISTED], len(found))]


def _norm_parties(text) -> str | None:
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    parts = [p.strip() for p in str(text).replace(";", "；").replace("、", "；").split("；") if p.strip()]
    return "；".join(sorted(parts)) or None


def withdraw_refile(engine, court_code: str, start: date, end: date, rule: dict) -> list[Signal]:
    """Cases withdrawn (撤诉) and refiled by the same parties with the same 案由 within ``window_days``."""
    t = engine.cases
    w = flows.scope(engine, court_code)
    w = w.filter(w.closing_method.isin(list(rule["methods"])) & (w.closing_date >= start) & (w.closing_date <= end)
                 & w.parties.notnull())
    cols = ["case_id", "court_code", "type_code", "parties", "cause", "filing_date", "closing_date", "judge_id",
            "judge_name"]
    withdrawn = w.select(*cols).to_pandas()
    if withdrawn.empty:
        return []
    horizon = end + timedelta(days=rule["window_days"])
    refiled = t.filter((t.filing_date >= start) & (t.filing_date <= horizon) & t.parties.notnull()
                       & t.cause.isin(list(withdrawn["cause"].dropna().unique()))).select(*cols).to_pandas()
    for df in (withdrawn, refiled):
        df["key"] = df["parties"].map(_norm_parties)
        for c in ("filing_date", "closing_date"):
            df[c] = pd.to_datetime(df[c]).dt.date
    m = withdrawn.merge(refiled, on=["key", "cause", "type_code"], suffixes=("", "_new"))  # a new suit of the same kind
    m = m[(m["case_id"] != m["case_id_new"])]
    if m.empty:
        return []
    m = m.assign(gap_days=[(b - a).days for a, b in zip(m["closing_date"], m["filing_date_new"], strict=True)])
    m = m[(m["gap_days"] >= 0) & (m["gap_days"] <= rule["window_days"])]
    if m.empty:
        return []
    m = m.sort_values(["closing_date", "case_id", "case_id_new"])
    pairs = [{"case_id": r.case_id, "refiled_case_id": r.case_id_new, "refiled_court": r.court_code_new,
              "parties": r.parties, "cause": r.cause, "closing_date": r.closing_date,
              "refiled_date": r.filing_date_new, "gap_days": int(r.gap_days), "judge_id": r.judge_id,
              "judge_name": r.judge_name} for r in m.itertuples()]
    return [Signal(
        "withdraw_refile", KIND_NAMES["withdraw_refile"], court_code, court_code, court_code, len(pairs), None,
        rule["window_days"],
        f"{len(pairs)}对案件在撤诉后{rule['window_days']}日内由相同当事人以相同案由再次起诉，"
        f"可能以撤诉代替延长审限或规避长期未结，请核查撤诉原因。",
        pairs[:MAX_LISTED], len(pairs))]


def _outliers(values: pd.Series, rule: dict) -> tuple[pd.Series, float, float]:
    """High-side outliers by robust z (median/MAD) or the Tukey IQR fence; returns (mask, median, fence)."""
    med = float(values.median())
    mad = float((values - med).abs().median())
    q1, q3 = float(values.quantile(0.25)), float(values.quantile(0.75))
    fence = q3 + rule["iqr_k"] * (q3 - q1)
    by_z = (values - med) / (1.4826 * mad) > rule["robust_z"] if mad > 0 else pd.Series(False, index=values.index)
    by_iqr = values > fence if q3 > q1 else pd.Series(False, index=values.index)
    return (by_z | by_iqr) & (values > med), med, fence


def binomial_tail(k: int, n: int, p: float) -> float:
    """P(X ≥ k) for X ~ Binomial(n, p): how surprising k events in n cases are at the pool's rate."""
    if k <= 0:
        return 1.0
    if p <= 0:
        return 0.0
    return min(1.0, sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1)))


def judge_outliers(engine, court_code: str, start: date, end: date, rule: dict) -> list[Signal]:
    """Judges of the court whose 延长审限率 or 首执终本率 stands out among all judges of the city.

    Case mix is taken out by indirect standardisation: a judge's expected count is the city rate of each
    (category, stage) cell times the judge's cases in it, so an appeal judge is not flagged merely for
    hearing appeals. The outlier test runs on observed ÷ expected.
    """
    t = flows.scope(engine)
    closed = t.filter((t.closing_date >= start) & (t.closing_date <= end) & t.judge_id.notnull())
    ev = engine.case_events
    ext_ids = ev.filter(ev.kind == "extension").select(ext_case=ev.case_id).distinct()
    j = closed.left_join(ext_ids, closed.case_id == ext_ids.ext_case)
    first = j.type_code == rule["first_enforcement_type"]
    j = j.mutate(has_ext=j.ext_case.notnull().cast("int64"), first_exec=first.cast("int64"),
                 terminal=(first & (j.closing_method == rule["terminal_method"])).cast("int64"))
    cells = j.group_by(["court_code", "judge_id", "category", "stage"]).agg(
        judge_name=j.judge_name.max(), closed=j.count(), ext=j.has_ext.sum(),
        exec_closed=j.first_exec.sum(), terminal=j.terminal.sum()).to_pandas()
    out = []
    specs = [("judge_extension_outlier", "closed", "ext", "延长审限率", "extension"),
             ("judge_terminal_outlier", "exec_closed", "terminal", "首执终本率", "terminal")]
    for kind, den, num, label, what in specs:
        pool = _standardised(cells, den, num)
        pool = pool[pool[den] >= rule["min_cases"]]
        if len(pool) < 4:
            continue
        mask, med, fence = _outliers(pool["ratio"], rule)
        for r in pool[mask & (pool["court_code"] == court_code)].itertuples():
            k, n = int(getattr(r, num)), int(getattr(r, den))
            # small counts make rates jumpy (2 of 30 vs 1 of 30): also require the excess to be improbable
            if binomial_tail(k, n, r.expected / n) > rule["max_p"]:
                continue
            sub = closed.filter(closed.judge_id == r.judge_id)
            if what == "extension":
                sub = sub.semi_join(ext_ids.select(case_id=ext_ids.ext_case), "case_id")
            else:
                sub = sub.filter((sub.type_code == rule["first_enforcement_type"])
                                 & (sub.closing_method == rule["terminal_method"]))
            cases, count = _case_rows(sub)
            out.append(Signal(
                kind, KIND_NAMES[kind], court_code, r.judge_id, r.judge_name or r.judge_id, round(k / n, 4),
                round(r.expected / n, 4), round(fence, 3),
                f"{r.judge_name or r.judge_id}{label}{k / n:.1%}（{k}/{n}），按其案件结构预期{r.expected / n:.1%}，"
                f"为预期的{r.ratio:.1f}倍（全市{len(pool)}名法官中位数{med:.2f}倍，离群界限{fence:.2f}倍）；"
                f"列出相关案件{count}件。",
                cases, count))
    return out


def _standardised(cells: pd.DataFrame, den: str, num: str) -> pd.DataFrame:
    """Per judge: cases, events, expected events at the city's rate per (category, stage), and O ÷ E."""
    c = cells[cells[den] > 0].copy()
    keys = ["category", "stage"]
    rates = c.groupby(keys, dropna=False)[[num, den]].sum()
    rates = (rates[num] / rates[den]).rename("cell_rate")
    c = c.join(rates, on=keys)
    c["expected"] = c["cell_rate"] * c[den]
    per = c.groupby(["court_code", "judge_id"], dropna=False).agg(
        judge_name=("judge_name", "max"), **{den: (den, "sum"), num: (num, "sum")}, expected=("expected", "sum"))
    per = per[per["expected"] > 0].reset_index()
    per["ratio"] = per[num] / per["expected"]
    return per
