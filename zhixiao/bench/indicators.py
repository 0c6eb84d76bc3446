"""``zhixiao bench indicators``: court-classic + spc-2024 by court × division for one year with 同比.

Three contenders measured in the same run, each in its own process (time and peak memory):
the evaluator (one ibis/DuckDB aggregation), a straightforward pandas implementation of the same
catalogue (one boolean mask per numerator/denominator, then group sums), and a bare DuckDB scan of
the columns the suite reads (the floor). The pandas answer is also compared with the evaluator's.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path
from statistics import median
from typing import Annotated

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import typer

from zhixiao.bench._util import measure

PROFILES = ("court-classic", "spc-2024")
START, END = date(2025, 1, 1), date(2025, 12, 31)
BY = ("court", "division")
EPOCH = date(1970, 1, 1)
N_COURTS = 20
DIVISIONS = ["民一庭", "民二庭", "刑庭", "行政庭", "执行局", "立案庭"]
# (category, stage, type_code, procedure, division index, weight)
KINDS = [
    ("civil", "first", "民初", "civil_simplified", 0, 0.30), ("civil", "first", "民初", "civil_ordinary", 1, 0.12),
    ("civil", "first", "民初", "civil_small_claims", 0, 0.10), ("civil", "second", "民终", "civil_second_judgment", 1, 0.04),
    ("civil", "retrial_review", "民申", "civil_retrial_review", 1, 0.01), ("criminal", "first", "刑初", "criminal_public", 2, 0.08),
    ("criminal", "second", "刑终", "criminal_second", 2, 0.01), ("administrative", "first", "行初", "admin_first", 3, 0.02),
    ("enforcement", "enforcement", "执", "enforcement", 4, 0.22), ("enforcement", "enforcement", "执保", "enforcement", 4, 0.04),
    ("enforcement", "enforcement", "执恢", "enforcement", 4, 0.02), ("mediation", "other", "民诉前调", "pre_suit_mediation", 5, 0.04),
]
METHODS = {"first": ["判决", "调解", "撤诉", "裁定"], "second": ["判决", "裁定", "调解"],
           "enforcement": ["执行完毕", "终结本次执行程序", "终结执行"], "other": ["调解成功", "调解不成功"],
           "retrial_review": ["裁定"]}


def _days(d: date) -> int:
    return (d - EPOCH).days


def _str_col(choices: list[str], idx: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Strings from indices into ``choices`` (Arrow dictionary decode: no Python object per row)."""
    ind = pa.array(idx.astype(np.int32), mask=mask)
    return pa.DictionaryArray.from_arrays(ind, pa.array(choices)).cast(pa.string())


def _court_chunk(rng: np.random.Generator, court: int, n: int) -> pa.Table:
    """n synthetic cases of one court, vectorised (no Python loop per case)."""
    code, name = f"冀01{court:02d}", f"第{court}基层法院"
    w = np.array([k[5] for k in KINDS])
    kind = rng.choice(len(KINDS), n, p=w / w.sum())
    filing = rng.integers(_days(date(2021, 1, 1)), _days(date(2025, 12, 31)) + 1, n)
    duration = rng.exponential(75, n).astype(np.int64) + 1
    closing = filing + duration
    pending = (closing > _days(date(2026, 3, 31))) | (rng.random(n) < 0.01)
    stages = sorted({k[1] for k in KINDS})
    stage_idx = np.array([stages.index(k[1]) for k in KINDS])[kind]
    methods = [m for st in stages for m in METHODS[st]]
    offset = np.array([methods.index(METHODS[st][0]) for st in stages])
    width = np.array([len(METHODS[st]) for st in stages])
    method_idx = offset[stage_idx] + (rng.random(n) * width[stage_idx]).astype(np.int64)
    second = stage_idx == stages.index("second")
    first = stage_idx == stages.index("first")
    zeros = np.zeros(n, dtype=np.int32)
    judge = rng.integers(0, 12, n)
    appealed = first & (rng.random(n) < 0.12) & ~pending
    appeal_date = np.where(appealed, closing + rng.integers(3, 15, n), 0)
    transfer = appeal_date + rng.integers(5, 40, n)
    enforcement = stage_idx == stages.index("enforcement")
    applied = np.where(enforcement, rng.integers(1_000, 500_000, n), 0).astype(np.int32)
    collected = (applied * rng.random(n)).astype(np.int32)
    seq = pa.array(np.arange(n, dtype=np.int64))
    firsts = np.flatnonzero(first)
    origin = firsts[rng.integers(0, max(len(firsts), 1), n)] if len(firsts) else np.zeros(n, dtype=np.int64)
    origin_id = pc.binary_join_element_wise(_str_col([code], zeros), pc.cast(pa.array(origin), pa.string()), "-")
    origin_id = pc.if_else(pa.array(second), origin_id, pa.nulls(n, pa.string()))
    cols = {
        "case_id": pc.binary_join_element_wise(_str_col([code], zeros), pc.cast(seq, pa.string()), "-"),
        "court_code": _str_col([code], zeros), "court_name": _str_col([name], zeros),
        "year": pa.array(filing.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int32) + 1970),
        "category": _str_col([k[0] for k in KINDS], kind), "stage": _str_col(stages, stage_idx),
        "type_code": _str_col([k[2] for k in KINDS], kind), "procedure": _str_col([k[3] for k in KINDS], kind),
        "filing_date": pa.array(filing.astype(np.int32)).cast(pa.date32()),
        "closing_date": pa.array(closing.astype(np.int32), mask=pending).cast(pa.date32()),
        "closing_method": _str_col(methods, method_idx, pending),
        "division": _str_col(DIVISIONS, np.array([k[4] for k in KINDS])[kind]),
        "judge_id": _str_col([f"{code}J{j}" for j in range(12)], judge),
        "judge_name": _str_col([f"法官{j}" for j in range(12)], judge),
        "enforcement_applied_amount": pa.array(applied).cast(pa.decimal128(18, 2)),
        "enforcement_collected_amount": pa.array(collected).cast(pa.decimal128(18, 2)),
        "appeal_result": _str_col(["upheld", "reversed", "remanded", "withdrawn"], rng.integers(0, 4, n), ~second),
        "appealed": pa.array(appealed), "origin_case_id": origin_id,
        "appeal_date": pa.array(appeal_date.astype(np.int32), mask=~appealed).cast(pa.date32()),
        "transfer_date": pa.array(transfer.astype(np.int32), mask=~appealed).cast(pa.date32()),
        "hearing_held": pa.array(rng.random(n) < 0.4), "ruled_in_court": pa.array(rng.random(n) < 0.2),
        "dispute_id": pc.binary_join_element_wise(
            _str_col([code + "D"], zeros), pc.cast(pa.array(rng.integers(0, max(n * 2 // 3, 1), n)), pa.string()), ""),
    }
    return pa.table(cols)


def generate(data_dir: Path, n_cases: int, seed: int = 7, progress=None) -> None:
    """Write ``n_cases`` synthetic cases (and a roster) into a case store, one court at a time."""
    from zhixiao.store.cases import CaseStore
    from zhixiao.store.schema import conform

    store = CaseStore(data_dir)
    rng = np.random.default_rng(seed)
    per = [n_cases // N_COURTS + (1 if i < n_cases % N_COURTS else 0) for i in range(N_COURTS)]
    people = []
    for c in range(N_COURTS):
        with store.transaction() as tx:
            tx.write("cases", conform("cases", _court_chunk(rng, c + 1, per[c])))
        for j in range(12):
            people.append(dict(judge_id=f"冀01{c + 1:02d}J{j}", name=f"法官{j}", court_code=f"冀01{c + 1:02d}", year=2025,
                               division=DIVISIONS[j % len(DIVISIONS)], post="员额法官" if j < 9 else "法官助理"))
        if progress:
            progress(c + 1)
    with store.transaction() as tx:
        tx.write("people", conform("people", pa.Table.from_pylist(people)))


def suite(data_dir: str) -> list:
    """The whole catalogue of both profiles that the case store computes, 审限内结案率 included."""
    from zhixiao.metrics.catalogue import load_profile

    # an indicator the case store cannot compute (``unavailable``) has nothing to time
    return [i for p in PROFILES for i in load_profile(p, END, data_dir=data_dir) if not i.unavailable]


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(t0: tuple[float, float]) -> tuple[float, float]:
    """(wall, CPU of every thread of this process) seconds since ``t0``."""
    return time.perf_counter() - t0[0], time.process_time() - t0[1]


def run_evaluator(data_dir: str) -> tuple[dict, float, float]:
    """(answers, wall, CPU seconds after imports): opening the store, the catalogue and every query."""
    import ibis.backends.duckdb  # noqa: F401 — libraries imported before the clock, like the other contenders'
    import pandas  # noqa: F401 — (ibis loads both lazily on first use: ~0.4 s of imports, not of work)

    from zhixiao.engine import connect
    from zhixiao.metrics.evaluate import evaluate_profiles

    t0 = _clock()
    inds = suite(data_dir)
    res = evaluate_profiles(connect(data_dir), PROFILES, START, END, by=BY, compare="yoy",
                            indicators={p: [i.id for i in inds if i.profile == p] for p in PROFILES})
    out = {(p, r.indicator, r.group["court_code"], r.group["division"]): (r.value, r.previous)
           for p, result in res.items() for r in result.rows}
    return (out, *_since(t0))


def columns_used(data_dir: str) -> list[str]:
    import json

    text = json.dumps([i.specs() for i in suite(data_dir)] + [list(i.exclusion_rules.values()) for i in suite(data_dir)],
                      ensure_ascii=False)
    from zhixiao.store.schema import CASES

    cols = {c for c in CASES.names if f'"{c}"' in text}
    cols |= {"court_code", "court_name", "division", "category", "filing_date", "closing_date"}
    if '"attribute": "origin"' in text:
        cols |= {"case_id", "origin_case_id"}
    if '"dispute_key"' in text:  # 纠纷编号, or the case itself (metrics.filters.DERIVED)
        cols |= {"case_id", "dispute_id"}
    if "transfer_days" in text:
        cols |= {"transfer_date", "appeal_date"}
    if '"deadline.' in text:  # 审限内结案率: what the 审限 computation of closed_within_limit reads (no status
        from zhixiao.deadlines import INPUT_COLUMNS  # flags; limits, calendar are tiny tables)

        # (tl_n_ext is read: an extension to a fixed whole limit, 一个半月, applies once one is approved)
        cols |= set(INPUT_COLUMNS) - {"case_id", "tl_spans", "tl_has_deduction", "tl_has_suspension", "tl_hearing_gaps"}
    return sorted(cols)


def run_scan(data_dir: str) -> tuple[int, float, float]:
    """The floor: DuckDB reads every column the suite uses once, doing nothing else; (rows, wall, CPU
    seconds after imports)."""
    import duckdb

    from zhixiao.store.cases import CaseStore

    t0 = _clock()
    files = [str(f) for f in CaseStore(data_dir).files("cases")]
    cols = columns_used(data_dir)
    sql = "SELECT count(*), " + ", ".join(f'count("{c}")' for c in cols) + " FROM read_parquet($files)"
    return (duckdb.connect().execute(sql, {"files": files}).fetchone()[0], *_since(t0))


def run_pandas(data_dir: str) -> tuple[dict, float, float]:
    """Straightforward pandas: load the used columns, one mask per numerator/denominator, groupby sum;
    (answers, wall, CPU seconds after imports)."""
    import pandas  # noqa: F401 — imported before the clock starts, like the other contenders' libraries

    from zhixiao.metrics.evaluate import compute_value
    from zhixiao.metrics.filters import Period
    from zhixiao.store.cases import CaseStore
    from zhixiao.store.schema import LINE_OF_CATEGORY

    t0 = _clock()
    store = CaseStore(data_dir)
    df = pa.concat_tables(pq.read_table(f, columns=columns_used(data_dir)) for f in store.files("cases")).to_pandas(
        date_as_object=False)
    people = store.read("people").to_pandas(date_as_object=False)
    df["line"] = df["category"].map(LINE_OF_CATEGORY)
    if "dispute_id" in df and "case_id" in df:
        df["dispute_key"] = df["dispute_id"].fillna(df["case_id"])
    keys = ["court_code", "division"]
    cur = Period(START, END, END)
    periods = {"cur": cur, "prev": cur.shifted_years(-1)}
    out = {}
    for ind in suite(data_dir):
        vals = {}
        for tag, per in periods.items():
            parts = []
            for spec in (ind.numerator, ind.denominator):
                if spec is None:
                    parts.append(None)
                elif spec["set"] == "judges":
                    m = _pd_mask(people, spec, per, "all", {})
                    parts.append(people[m].groupby(keys).size())
                elif spec.get("attribute") == "origin":  # count the appeal under its 原审 case's group
                    m = _pd_mask(df, spec, per, ind.line, ind.exclusion_rules)
                    sub = df.loc[m, ["origin_case_id"]].merge(df[["case_id", *keys]], left_on="origin_case_id",
                                                              right_on="case_id")
                    parts.append(sub.groupby(keys).size())
                else:
                    m = _pd_mask(df, spec, per, ind.line, ind.exclusion_rules)
                    parts.append(_pd_agg(df, m, spec, per, keys))
            vals[tag] = parts
        groups = df[keys].drop_duplicates().itertuples(index=False)
        for court, div in groups:
            res = []
            for tag in ("cur", "prev"):
                num, den = (None if s is None else float(s.get((court, div), 0)) for s in vals[tag])
                res.append(compute_value(ind, num, den))
            out[(ind.profile, ind.id, court, div)] = tuple(res)
    return (out, *_since(t0))


def _pd_col(df, name: str, per):
    import pandas as pd

    if name == "duration_days":
        return (df.closing_date - df.filing_date).dt.days
    if name == "age_days":
        return (pd.Timestamp(per.as_of) - df.filing_date).dt.days
    if name == "transfer_days":
        return (df.transfer_date - df.appeal_date).dt.days
    return df[name]


def _pd_cond(df, c: dict, per):
    import pandas as pd

    from zhixiao.metrics.filters import add_months

    if "any" in c:
        m = pd.Series(False, index=df.index)
        for x in c["any"]:
            m |= _pd_cond(df, x, per)
        return m
    if "not" in c:  # NOT (all of them), a null counting as not holding
        m = pd.Series(True, index=df.index)
        for x in c["not"]:
            m &= _pd_cond(df, x, per)
        return ~m
    col = _pd_col(df, c["col"], per)
    op, v = next((k, v) for k, v in c.items() if k != "col")
    v = pd.Timestamp(v) if isinstance(v, date) else v
    m = {
        "contains": lambda: col.map(lambda x: isinstance(x, (str, list, np.ndarray)) and v in x),
        "eq": lambda: col == v, "ne": lambda: col.notna() & (col != v), "in": lambda: col.isin(v),
        "not_in": lambda: col.notna() & ~col.isin(v), "is_null": lambda: col.isna() if v else col.notna(),
        "lt": lambda: col < v, "le": lambda: col <= v, "gt": lambda: col > v, "ge": lambda: col >= v,
        "older_than_months": lambda: col < pd.Timestamp(add_months(per.as_of, -int(v))),
    }[op]()
    return m.fillna(False).astype(bool)


_DEADLINES: dict = {}  # (as_of, output) → per row computed so far (both profiles ask)


def _pd_deadline_cond(df, m, c: dict, per):
    """What a pandas user has for 审限: the package's per-case function on each row concerned (no events in
    this data set; a case's events would be passed the same way)."""
    import pandas as pd

    from zhixiao.domain.time_limits import case_status, compute_deadline

    out = c["col"][len("deadline."):]
    assert out in ("closed_within_limit", "no_limit") and isinstance(c.get("eq"), bool), c
    done = _DEADLINES.get((per.as_of, out), pd.Series(dtype=bool))
    todo = df.loc[m & ~df.index.isin(done.index), ["procedure", "filing_date", "closing_date", "tags"]]
    vals = []
    for proc, filed, closing, tags in todo.itertuples(index=False):
        closed = closing.date() if not pd.isna(closing) else None
        closed = closed if closed is not None and closed <= per.as_of else None
        try:
            r = compute_deadline(proc, filed.date(), as_of=per.as_of, closed=closed,
                                 tags=list(tags) if tags is not None else ())
            vals.append(bool(r.no_limit if out == "no_limit" else case_status(r, per.as_of, closed).closed_within_limit))
        except ValueError:  # unknown procedure: no limit
            vals.append(out == "no_limit")
    done = pd.concat([done, pd.Series(vals, index=todo.index, dtype=bool)])
    _DEADLINES[(per.as_of, out)] = done
    return (done.reindex(df.index, fill_value=False) == c["eq"]) & m


def _pd_mask(df, spec: dict, per, line: str, exclusions: dict):
    import pandas as pd

    s, e, a = pd.Timestamp(per.start), pd.Timestamp(per.end), pd.Timestamp(per.as_of)
    f, c = (df.get("filing_date"), df.get("closing_date"))
    base = {
        "new_cases": lambda: (f >= s) & (f <= e),
        "carried_over": lambda: (f < s) & (c.isna() | (c >= s)),
        "received": lambda: (f <= e) & (c.isna() | (c >= s)),
        "closed": lambda: (c >= s) & (c <= e),
        "pending_end": lambda: (f <= a) & (c.isna() | (c > a)),
        "transferred": lambda: (df.transfer_date >= s) & (df.transfer_date <= e),
        "appealed": lambda: (df.appeal_date >= s) & (df.appeal_date <= e),
        "cases": lambda: pd.Series(True, index=df.index),
        "judges": lambda: (df.active_from.isna() | (df.active_from <= e)) & (df.active_to.isna() | (df.active_to >= s)),
    }[spec["set"]]()
    m = base.fillna(False).astype(bool)
    if line != "all":
        m &= df["line"] == line
    for cond in spec.get("where", []):
        if str(cond.get("col", "")).startswith("deadline."):  # per case, on the rows selected so far only
            m &= _pd_deadline_cond(df, m, cond, per)
        else:
            m &= _pd_cond(df, cond, per)
    for rule in exclusions.values():
        hit = pd.Series(True, index=df.index)
        for cond in rule:
            hit &= _pd_cond(df, cond, per)
        m &= ~hit
    return m


def _pd_agg(df, m, spec: dict, per, keys):
    sub = df[m]
    if "sum" in spec:
        return _pd_col(sub, spec["sum"], per).astype(float).groupby([sub[k] for k in keys]).sum()
    if "distinct" in spec:
        return sub.groupby(keys)[spec["distinct"]].nunique()
    return sub.groupby(keys).size()


def _agree(a: dict, b: dict) -> tuple[int, int]:
    bad = 0
    for k, (v, p) in a.items():
        w, q = b.get(k, (None, None))
        for x, y in ((v, w), (p, q)):
            if (x is None) != (y is None) or (x is not None and abs(float(x) - float(y)) > 1e-9 * max(1, abs(float(x)))):
                bad += 1
    return len(a), bad


def register(bench_app: typer.Typer) -> None:
    @bench_app.command("indicators")
    def bench_indicators(
        cases: Annotated[int, typer.Option("--cases", help="合成案件数 / number of synthetic cases")] = 10_000_000,
        data_dir: Annotated[Path | None, typer.Option("--data-dir", help="合成数据目录（已存在同规模数据则复用）/ scratch dir")] = None,
        skip_pandas: Annotated[bool, typer.Option("--skip-pandas", help="不跑 pandas 基线 / skip pandas")] = False,
        repeat: Annotated[int, typer.Option("--repeat", min=1, help="扫描与引擎交替运行次数，取中位数 / alternating "
                                            "floor/engine runs, medians reported")] = 3,
    ) -> None:
        """指标引擎基准：对比 pandas 实现与 DuckDB 裸扫描 / indicator engine vs pandas and a bare scan."""
        from rich.console import Console
        from rich.progress import Progress

        from zhixiao.store.cases import CaseStore

        con = Console()
        tmp = None
        if data_dir is None:
            tmp = Path(tempfile.mkdtemp(prefix="zhixiao-bench-"))
            data_dir = tmp
        try:
            have = sum(pq.ParquetFile(f).metadata.num_rows for f in CaseStore(data_dir).files("cases")) \
                if CaseStore(data_dir).files("cases") else 0
            if have != cases:
                if have:
                    shutil.rmtree(data_dir)
                t0 = time.perf_counter()
                with Progress(console=con) as prog:
                    task = prog.add_task(f"生成 {cases:,} 件合成案件 / generating", total=N_COURTS)
                    generate(data_dir, cases, progress=lambda i: prog.update(task, completed=i))
                con.print(f"生成用时 {time.perf_counter() - t0:.1f} 秒")
                os.sync()  # the kernel writing the new files back must not run during the timings
            dd = str(data_dir)
            n_ind = len(suite(dd))
            con.print(f"指标套件：{'+'.join(PROFILES)} 共 {n_ind} 项（含审限内结案率：引擎算审限，pandas 逐案调用审限函数），"
                      f"按法院×部门，{START}～{END}，含同比；读取列 {len(columns_used(dd))} 个")
            # like `bench deadlines`: each contender is timed from after its imports (ibis/pandas start-up is
            # not the work compared); the child process's whole time is shown in brackets
            # alternating runs, so a slower stretch of the machine hits both; medians reported
            scans, evals = [], []
            for _ in range(repeat):
                p_scan, m_scan, (_, t_scan, c_scan) = measure(run_scan, dd)
                scans.append((t_scan, c_scan, p_scan, m_scan))
                p_eval, m_eval, (res_eval, t_eval, c_eval) = measure(run_evaluator, dd)
                evals.append((t_eval, c_eval, p_eval, m_eval))
            t_scan, c_scan, p_scan = (median(r[i] for r in scans) for i in range(3))
            t_eval, c_eval, p_eval = (median(r[i] for r in evals) for i in range(3))
            m_scan, m_eval = max(r[3] for r in scans), max(r[3] for r in evals)
            rows = [("DuckDB 裸扫描（下限）", t_scan, c_scan, p_scan, m_scan),
                    ("指标引擎 evaluate()", t_eval, c_eval, p_eval, m_eval)]
            t_pd = None
            if not skip_pandas:
                p_pd, m_pd, (res_pd, t_pd, c_pd) = measure(run_pandas, dd)
                rows.append(("pandas 直接实现", t_pd, c_pd, p_pd, m_pd))
            con.print(f"  时间不含模块导入；CPU 为进程内全部线程；括号内为含启动与导入的子进程总时长；{repeat} 次中位数")
            for label, t, c, whole, m in rows:
                con.print(f"  {label:<24} {t:8.2f} 秒（CPU {c:6.2f} 秒；{whole:6.2f}）   峰值内存 {m / 2**30:6.2f} GB")
            runs = "、".join(f"{e[0] / f[0]:.2f}" for f, e in zip(scans, evals, strict=True))
            checks = [(f"不超过扫描下限的 3 倍（中位数 {t_eval / t_scan:.2f}×；各次 {runs}）", t_eval <= 3 * t_scan),
                      (f"峰值内存低于 4 GB（{m_eval / 2**30:.2f} GB）", m_eval < 4 * 2**30)]
            if t_pd is not None:
                checks.insert(0, (f"比 pandas 快 10 倍以上（{t_pd / t_eval:.1f}×）", t_pd >= 10 * t_eval))
                n, bad = _agree(res_eval, res_pd)
                checks.append((f"与 pandas 结果一致（{n} 个单元格，{bad} 处不同）", bad == 0))
            for text, ok in checks:
                con.print(f"  {'PASS' if ok else 'FAIL'}  {text}")
            con.print("总体：" + ("PASS" if all(ok for _, ok in checks) else "FAIL"))
        finally:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
