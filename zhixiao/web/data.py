"""Everything the pages read from the case store, cached per (manifest version, question).

The store's manifest version changes on every import, so a cache keyed by it never serves stale figures
and needs no invalidation. A snapshot is immutable, so readers need no common lock: each uncached
question borrows an engine of the version's small pool (an ibis/DuckDB connection serves one thread at a
time), and two readers of different questions run in parallel; askers of the same question wait for one run.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from zhixiao.aggregates import deadlines, load_answers, prune, save_answers
from zhixiao.config import Settings
from zhixiao.domain.courts import court_name
from zhixiao.store.cases import FORMAT, CaseStore, Manifest
from zhixiao.web.jobs import JobRunner

# The headline figures of 总览 and the drill-down tables (ids of the court-classic catalogue).
HEADLINE = ("new_cases", "closed", "pending", "closure_rate", "clearance_ratio", "on_time_rate", "avg_days",
            "long_pending_12m")
WEAK_ATTRIBUTION = {"attribute_by": ("division",), "top": 3}  # 短板 on the pages: the three divisions behind each
CASE_LIMIT = 1000  # rows shown on one case-list page (the CSV export has them all)
CASE_LISTS, CASE_LIST_ROWS = 16, 20_000  # case lists kept for paging and sorting, and the largest one kept


def _key(filters: dict | None) -> tuple:
    return tuple(sorted((filters or {}).items()))


def records(df: pd.DataFrame) -> list[dict]:
    """DataFrame → plain rows with dates as date and missing values as None (templates print them)."""
    out = []
    for rec in df.to_dict("records"):
        row = {}
        for k, v in rec.items():
            if v is None or (not isinstance(v, (list, tuple, dict)) and pd.isna(v)):
                row[k] = None
            elif isinstance(v, pd.Timestamp):
                row[k] = v.date()
            else:
                row[k] = v
        out.append(row)
    return out


SNAPSHOT = ("snapshot_version",)  # engine.cache entry: the manifest version the engine was opened on
# the questions whose answers are kept beside the snapshot (zhixiao.aggregates)
PERSIST = frozenset({"as_of", "roster", "indicators", "trend", "weak", "forecast", "closings", "targets", "ledgers",
                     "ledger_counts"})


def reader_count() -> int:
    """Engines per snapshot: one per core (ZHIXIAO_WEB_READERS overrides), at least two so one slow
    question never holds up every other reader."""
    raw = os.environ.get("ZHIXIAO_WEB_READERS", "").strip()
    return max(2, int(raw) if raw else (os.cpu_count() or 2))


class StaleSnapshot(RuntimeError):
    """An engine was asked for a snapshot version whose manifest this process never read and which is no longer
    the store's current one: its files cannot be named, so no answer may be cached under that version."""


class Snapshot(CaseStore):
    """The store as one manifest left it: every file list an engine reads comes from that manifest, never from
    the manifest on disk, so an engine opened while an import lands still reads exactly its own version."""

    def __init__(self, data_dir: Path, manifest: Manifest):
        super().__init__(data_dir)
        self._manifest = manifest

    def manifest(self) -> Manifest:
        return self._manifest


class EnginePool:
    """Engines over one snapshot version, lent to one reader at a time; made on demand up to ``size``."""

    def __init__(self, data_dir: Path, manifest: Manifest, size: int):
        self.data_dir, self.manifest, self.version, self.size = data_dir, manifest, manifest.version, size
        self._idle: list[Any] = []
        self._made = 0
        self._cond = threading.Condition()

    @contextmanager
    def engine(self) -> Iterator[Any]:
        from zhixiao.engine import connect

        with self._cond:
            while not self._idle and self._made >= self.size:
                self._cond.wait()
            if self._idle:
                eng = self._idle.pop()
            else:
                self._made += 1
                eng = None
        if eng is None:
            try:
                eng = connect(self.data_dir, store=Snapshot(self.data_dir, self.manifest))
                eng.cache[SNAPSHOT] = self.version
            except BaseException:
                with self._cond:
                    self._made -= 1
                    self._cond.notify()
                raise
        try:
            yield eng
        finally:
            with self._cond:
                self._idle.append(eng)
                self._cond.notify()

    @property
    def made(self) -> int:
        return self._made


class DataHub:
    def __init__(self, settings: Settings, max_entries: int = 1024, readers: int | None = None):
        self.settings = settings
        self.store = CaseStore(settings.data_dir)
        self.readers = readers or reader_count()
        self._pool_lock = threading.Lock()
        self._pools: dict[int, EnginePool] = {}
        self._manifests: dict[int, Manifest] = {}  # the manifests read by version(), the newest few
        self._cache_lock = threading.Lock()
        self._cache: OrderedDict[Hashable, Any] = OrderedDict()
        self._key_locks: dict[Hashable, threading.Lock] = {}
        self._case_lists: OrderedDict[Hashable, pd.DataFrame] = OrderedDict()  # DataHub.cases
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0
        self.auto_precompute = False  # set by warm(): serve mode precomputes every new snapshot
        self._pre_lock = threading.Lock()
        self._precomputed: set[int] = set()
        self.loaded = 0  # answers read back from the snapshot's aggregates at the last precompute
        self._stored: dict[int, dict] = {}  # the answers file last read back (one version)
        self._ready: int | None = None  # the newest version whose precompute has ended (serve mode reads it)
        self._local = threading.local()  # .version: the snapshot a precompute thread computes
        # other pages' default questions for precompute: fn(hub, start, end), names kept beside the snapshot
        self.warmers: list[Callable[[DataHub, date, date], None]] = []
        self.persist = set(PERSIST)
        self.jobs = JobRunner()  # long jobs (reports, the daily run) beside the readers, never in their way
        self.running = 0  # engine questions in progress now (the concurrency test reads its peak)
        self.peak = 0

    # ── plumbing ──────────────────────────────────────────────────────────────────────────────────────
    def version(self) -> int:
        """The snapshot version the pages read now. Serve mode (``warm``) keeps serving the last precomputed
        snapshot while a newer one (an import) is precomputed in the background, then switches to it: the first
        view after an import is as fast as any other (the old snapshot's files stay for the store's grace
        period). A precompute thread reads the version it computes."""
        pinned = getattr(self._local, "version", None)
        if pinned is not None:
            return pinned
        v = self._current()
        if self.auto_precompute:
            if self._claim(v):  # a new snapshot (an import): its aggregates
                threading.Thread(target=self._precompute, args=(v,), name="zhixiao-precompute", daemon=True).start()
            with self._pre_lock:
                ready = self._ready
            if ready is not None and ready < v:
                return ready
        return v

    def switching(self) -> tuple[int, int, date] | None:
        """While serve mode shows an older snapshot than the store's newest (an import whose pages are still
        being precomputed): (the version shown, the newest version, the shown data's as-of date); else None.
        The pages say so, so nobody takes the previous figures for the new import's."""
        shown = self.version()
        newest = self._current()
        if newest <= shown:
            return None
        pinned = getattr(self._local, "version", None)
        self._local.version = shown  # the as-of date of exactly the snapshot shown, even if it switches meanwhile
        try:
            day = self.as_of()
        finally:
            self._local.version = pinned
        return shown, newest, day

    def _current(self) -> int:
        """The store's current manifest version, its manifest remembered for the pools."""
        m = self.store.manifest()
        if m.format < FORMAT:  # an older store is rewritten once (a new version), as the engines' connect did
            self.store.ensure_format()
            m = self.store.manifest()
        v = m.version
        with self._pool_lock:
            if v not in self._manifests:
                self._manifests[v] = m
                for old in sorted(self._manifests)[:-3]:
                    del self._manifests[old]
        return v

    def _claim(self, version: int) -> bool:
        """True once per version: the caller precomputes it."""
        with self._pre_lock:
            if version in self._precomputed:
                return False
            self._precomputed.add(version)
            return True

    def pool(self, version: int) -> EnginePool:
        """The engines of ``version``, reading the files of that version's manifest (as ``version()`` read it);
        older versions' pools are dropped (an engine goes with its last reader)."""
        if version not in self._manifests:
            self._current()  # e.g. a caller that read the version elsewhere
        with self._pool_lock:
            if version not in self._pools:
                manifest = self._manifests.get(version)
                if manifest is None:
                    raise StaleSnapshot(f"数据版本 {version} 已被新的导入替换，请刷新页面。")
                self._pools[version] = EnginePool(self.settings.data_dir, manifest, self.readers)
                for old in sorted(self._pools)[:-2]:  # the one before stays for readers mid-request
                    if old != version:  # a reader of an older shown snapshot (serve mode, two imports) keeps its pool
                        del self._pools[old]
            return self._pools[version]

    @contextmanager
    def engine(self, version: int | None = None) -> Iterator[Any]:
        """Borrow an engine of ``version`` (default: the current one) for one question."""
        with self.pool(self.version() if version is None else version).engine() as eng:
            with self._cache_lock:
                self.running += 1
                self.peak = max(self.peak, self.running)
            try:
                yield eng
            finally:
                with self._cache_lock:
                    self.running -= 1

    def config_stamp(self) -> tuple:
        """The court's indicator files (ranges, extensions): editing one changes figures without a new version."""
        d = Path(self.settings.data_dir) / "indicators"
        return tuple((p.name, p.stat().st_mtime_ns) for p in sorted(d.glob("*.toml"))) if d.is_dir() else ()

    def cached(self, name: str, params: Hashable, fn: Callable[[Any], Any]) -> Any:
        """``fn(engine)`` once per (data version, indicator files, name, params); concurrent askers of one key
        wait for one run."""
        version = self.version()
        key = (version, self.config_stamp(), name, params)
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                self.hits += 1
                return self._cache[key]
            klock = self._key_locks.setdefault(key, threading.Lock())
        with klock:
            with self._cache_lock:
                if key in self._cache:
                    self.hits += 1
                    return self._cache[key]
            with self.engine(version) as eng:
                value = fn(eng)
            with self._cache_lock:
                self.misses += 1
                self._cache[key] = value
                self._key_locks.pop(key, None)
                while len(self._cache) > self.max_entries:
                    self._cache.popitem(last=False)
        return value

    def peek(self, name: str, params: Hashable) -> Any | None:
        """The answer ``cached`` keeps for (name, params) on the version read now, or None; never computes (a
        question that can be read off a larger kept answer asks for it this way)."""
        key = (self.version(), self.config_stamp(), name, params)
        with self._cache_lock:
            return self._cache.get(key)

    def keep(self, name: str, params: Hashable, value: Any) -> Any:
        """Keep ``value`` as the answer of (name, params) on the version read now (a batch question computed it
        beside others); an answer already kept stays."""
        key = (self.version(), self.config_stamp(), name, params)
        with self._cache_lock:
            kept = self._cache.setdefault(key, value)
            self._cache.move_to_end(key)
            while len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)
        return kept

    def warm(self) -> None:
        """Serve mode: precompute the current snapshot now, and each new one when it appears (after an import)."""
        v = self.store.manifest().version
        self.auto_precompute = True
        self.precompute(v)

    def load(self, version: int) -> dict:
        """Read the answers kept beside snapshot ``version`` into the cache ({} when none were kept); the file is
        read once per version. ``zhixiao serve`` calls it before serving, so a restart's first views are
        answered from them rather than racing the background precompute."""
        with self._pre_lock:
            stored = self._stored.get(version)
        if stored is None:
            stored = load_answers(self.settings.data_dir, version)
            with self._pre_lock:
                self._stored = {version: stored}
        with self._cache_lock:
            for k, v in stored.items():
                self._cache.setdefault(k, v)
        self.loaded = len(stored)
        return stored

    def add_warmer(self, names: str | tuple[str, ...], fn: Callable[[DataHub, date, date], None]) -> None:
        """A page's default question (e.g. the city matrix, the quality check of 本年累计) for precompute:
        ``fn(hub, 1 January, as-of)``; answers cached under ``names`` are kept beside the snapshot. Register
        before ``warm``."""
        self.warmers.append(fn)
        self.persist.update((names,) if isinstance(names, str) else names)

    def precompute(self, version: int) -> None:
        """The pages' aggregates of ``version`` (once per version per process)."""
        if self._claim(version):
            self._precompute(version)

    def _precompute(self, version: int) -> None:
        """Read back the answers kept beside the snapshot, compute the missing ones (the default page of the
        city and of every court, 短板, 测算, the 审限 ledgers), keep them."""
        self._local.version = version
        try:
            stored = self.load(version)
            self._warm_pages()
            with self._cache_lock:
                answers = {k: v for k, v in self._cache.items() if k[0] == version and k[2] in self.persist}
            if set(answers) - set(stored):
                save_answers(self.settings.data_dir, version, answers)
            prune(self.settings.data_dir, version)
        finally:
            self._local.version = None
            with self._pre_lock:  # switch even after a failure (raised to the caller): never stuck on old data
                self._ready = max(self._ready or version, version)

    def _at(self, version: int, fn: Callable[..., None], *args: Any) -> None:
        """``fn(*args)`` in a precompute worker, asking about ``version``."""
        self._local.version = version
        try:
            fn(*args)
        finally:
            self._local.version = None

    def _warm_pages(self) -> None:
        """The default questions, asked on the readers' engines side by side (one court's pages per task)."""
        end = self.as_of()
        start = date(end.year, 1, 1)
        courts = list(self.roster()["courts"])

        def city() -> None:
            self.indicators(start, end, None, by=("court",))
            self.indicators(start, end, None)
            self.trend(start, end, {})
            self.ledgers()
            self.ledger_counts({})  # 审限监控's cards for the city (the ledgers as frames, made once)

        def court(code: str) -> None:
            f = {"court_code": code}
            self.indicators(start, end, f)
            self.trend(start, end, f)
            self.indicators(start, end, f, by=("division",))
            self.forecast(code, end)
            self.closings_needed(code, end, 0.9)  # the 目标与测算 page's default rate
            self.targets_progress(code, end.year, end)

        v = self.version()  # the precompute thread's own
        with ThreadPoolExecutor(max_workers=self.readers, thread_name_prefix="zhixiao-precompute") as pool:
            extra = [pool.submit(self._at, v, fn, self, start, end) for fn in self.warmers]
            weak = pool.submit(self._at, v, self.weak_all, courts, start, end)  # every court's 短板 at once
            for fut in [pool.submit(self._at, v, city), weak, *(pool.submit(self._at, v, court, c) for c in courts),
                        *extra]:
                fut.result()  # the first failure is raised here (logged by the thread that ran precompute)

    # ── questions ─────────────────────────────────────────────────────────────────────────────────────
    def as_of(self) -> date:
        """The data's as-of date: the latest snapshot in the store (today when the store is empty)."""
        def run(e):
            v = e.cases.snapshot_date.max().execute()
            return pd.Timestamp(v).date() if v is not None and not pd.isna(v) else date.today()
        return self.cached("as_of", (), run)

    def roster(self) -> dict:
        """courts {code: name}, divisions {court: [names]}, judges {judge_id: (court, division, name)}."""
        def run(e):
            c = e.cases
            pairs = records(c.select("court_code", "division").distinct().execute())
            people = records(e.people.select("judge_id", "name", "court_code", "division", "post").execute())
            courts: dict[str, str] = {}
            divisions: dict[str, set] = {}
            for p in pairs:
                # the registry's name (法〔2015〕137号 代字表), never an imported row's: one bad row must not
                # rename a court in every table
                courts.setdefault(p["court_code"], court_name(p["court_code"]) or p["court_code"])
                if p["division"]:
                    divisions.setdefault(p["court_code"], set()).add(p["division"])
            judges = {p["judge_id"]: (p["court_code"], p["division"], p["name"]) for p in people}
            return {"courts": dict(sorted(courts.items())),
                    "divisions": {k: sorted(v) for k, v in divisions.items()}, "judges": judges}
        return self.cached("roster", (), run)

    def judge_home(self, judge_id: str | None) -> tuple[str, str] | None:
        j = self.roster()["judges"].get(judge_id) if judge_id else None
        return (j[0], j[1]) if j else None

    def indicators(self, start: date, end: date, filters: dict | None, by: tuple[str, ...] = (),
                   compare: str | None = "yoy", ids: tuple[str, ...] = HEADLINE) -> list[dict]:
        from zhixiao.metrics.evaluate import evaluate

        as_of = self.as_of()  # asked before borrowing an engine: the cube's date

        def run(e):
            # the snapshot's indicator cube answers month-aligned questions; the evaluator the rest
            held = self.cube(e, as_of)
            res = evaluate(e, self.settings.profile, start, end, by=by, compare=compare, filters=filters or None,
                           indicators=list(ids), cube=held)
            return [r.to_dict() for r in res.rows]
        return self.cached("indicators", (start, end, _key(filters), by, compare, ids), run)

    def trend(self, start: date, end: date, filters: dict | None) -> list[dict]:
        from zhixiao.metrics.series import definitions, is_month_end, monthly

        as_of = self.as_of()
        profile = self.settings.profile
        if end < as_of and is_month_end(end) and start <= end and \
                definitions(profile, end, self.store.root) == definitions(profile, as_of, self.store.root):
            # its months are the first months of the series up to the data's date (each month is counted on
            # its own, the last one here is whole): one question per scope and start instead of one per end
            label = f"{end:%Y-%m}"
            return [dict(r) for r in self.trend(start, as_of, filters) if r["month"] <= label]

        def run(e):
            held = self.cube(e, as_of)
            return monthly(e, start, end, filters=filters or None, profile=self.settings.profile, previous_year=True,
                           cube=held)
        return self.cached("trend", (start, end, _key(filters)), run)

    def weak(self, court: str, start: date, end: date) -> list[dict]:
        from zhixiao.analysis.weak import weak_indicators

        def run(e):
            return [w.to_dict() for w in weak_indicators(e, self.settings.profile, start, end, court,
                                                          **WEAK_ATTRIBUTION)]
        return self.cached("weak", (court, start, end), run)

    def weak_all(self, courts: list[str], start: date, end: date) -> None:
        """Every court's ``weak`` from one evaluation by court (``weak_by_court``): what each court's question
        would evaluate first is the same city-wide evaluation, so precompute asks it once."""
        from zhixiao.analysis.weak import weak_by_court

        todo = [c for c in courts if self.peek("weak", (c, start, end)) is None]
        if not todo:
            return
        many = self.cached("weak_all", (tuple(todo), start, end), lambda e: {
            c: [w.to_dict() for w in ws] for c, ws in weak_by_court(e, self.settings.profile, start, end, todo,
                                                                     **WEAK_ATTRIBUTION).items()})
        for c in todo:
            self.keep("weak", (c, start, end), many[c])

    def cube(self, engine: Any, as_of: date) -> Any:
        """The snapshot's indicator cube on ``engine`` (``metrics.cube``): month-aligned questions of the pages
        are answered from it, the rest by the evaluator. ``as_of`` is asked before borrowing the engine."""
        from zhixiao.metrics import cube

        return cube.for_snapshot(engine, engine.cache[SNAPSHOT], self.settings.profile, HEADLINE, as_of)

    def run(self, fn: Callable[[Any], Any]) -> Any:
        """``fn(engine)`` on the current data version, uncached (for quick or one-off questions)."""
        with self.engine() as eng:
            return fn(eng)

    def cases(self, indicator: str, part: str, start: date, end: date, group: dict) -> pd.DataFrame:
        """The cases behind a figure. The 审限 columns a list reads come from the snapshot's stored 审限 table (the
        ledgers' one, written at precompute) where they equal the evaluator's (``drill._stored_deadlines``), so a
        list compiles no 审限 expression. The last few lists of up to ``CASE_LIST_ROWS`` rows are kept per (data
        version, indicator files, calendar, question): the table pages, sorts and exports them by asking again;
        a city-wide list is not kept (its memory)."""
        from zhixiao.deadlines import COMPUTED, NEAR_SHARE, table_options
        from zhixiao.domain.calendar import WorkCalendar, load_calendar
        from zhixiao.metrics.drill import StoredDeadlines, case_list
        from zhixiao.supervision.rules import load_ladder

        as_of = self.as_of()
        cal = load_calendar(self.settings)
        options = table_options(self.settings, load_ladder(self.settings))

        def run(e):
            stored = None
            # the evaluator computes 审限 with the engine's calendar, rolling forward, at the default 临近 share
            if options["roll_forward"] and cal.fingerprint() == (e.calendar or WorkCalendar()).fingerprint():
                same = set(COMPUTED) - (set() if options["near_share"] == NEAR_SHARE else {"status"})
                stored = StoredDeadlines(lambda: deadlines(e, e.cache[SNAPSHOT], as_of, cal, options), as_of,
                                         frozenset(same))
            return case_list(e, indicator, self.settings.profile, start, end, group=group, part=part,
                             deadlines=stored)

        version = self.version()
        key = (version, self.config_stamp(), cal.fingerprint(), str(options), indicator, part, start, end,
               tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in group.items())))
        with self._cache_lock:
            kept = self._case_lists.get(key)
            if kept is not None:
                self._case_lists.move_to_end(key)
                return kept.copy()  # the caller's own frame (a page may add columns)
        with self.engine(version) as e:
            df = run(e)
        if len(df) <= CASE_LIST_ROWS:
            with self._cache_lock:
                self._case_lists[key] = df.copy()
                while len(self._case_lists) > CASE_LISTS:
                    self._case_lists.popitem(last=False)
        return df

    def ledgers(self) -> dict:
        """超审限/临近, 长期未结 and 四项未结 for the whole store at the data's as-of date, plus the cases whose
        deadline rests on an unpublished holiday calendar — the same tables as ``zhixiao supervise ledger``."""
        from zhixiao.deadlines import table_options
        from zhixiao.supervision.pending import four_pending, long_pending

        as_of, cal, ladder = self._ledger_inputs()

        def run(e):
            # the snapshot's stored 审限 table (written by the first asker, kept beside the snapshot)
            t = deadlines(e, e.cache[SNAPSHOT], as_of, cal, table_options(self.settings, ladder))
            prov = records(t.filter(t.pending & t.provisional).select(
                "case_id", "court_code", "division", "judge_id", "judge_name", "deadline").execute())
            due = t.filter(t.pending & t.status.isin(["超审限", "临近"])).select(
                "case_id", "court_code", "division", "judge_id", "judge_name", "category", "procedure", "filing_date",
                "deadline", "provisional", "days_remaining", "elapsed_share", "status").order_by(["days_remaining", "case_id"])
            tiers = tuple(ladder.ledger.get("long_pending_tiers", (12, 24, 36)))
            return {"as_of": as_of, "due": records(due.execute()), "long": records(long_pending(t, tiers).execute()),
                    "four": records(four_pending(t).execute()), "provisional": prov, "tiers": tiers}
        return self.cached("ledgers", (as_of, cal.fingerprint(), str(ladder)), run)

    def _ledger_inputs(self) -> tuple[date, Any, Any]:
        from zhixiao.domain.calendar import load_calendar
        from zhixiao.errors import UserError
        from zhixiao.supervision.rules import load_ladder

        try:
            cal = load_calendar(self.settings)
        except (FileNotFoundError, ValueError) as exc:
            raise UserError(f"节假日覆盖文件有误：{exc}（请在“管理 → 节假日覆盖”中修正）") from None
        return self.as_of(), cal, load_ladder(self.settings)

    def ledger_frame(self, kind: str, filters: dict) -> pd.DataFrame:
        """One ledger of ``ledgers`` (due, long, four, provisional) as a frame with 法院 names, cut to the scope
        ``filters``: a city's ledgers run to 10⁵–10⁶ rows, and the table pages, sorts and filters a frame
        without turning every row into a dict on every click."""
        as_of, cal, ladder = self._ledger_inputs()
        led = self.ledgers()
        names = self.roster()["courts"]

        def build(_e) -> dict[str, pd.DataFrame]:
            out = {}
            for k in ("due", "long", "four", "provisional"):
                df = pd.DataFrame.from_records(led[k])
                if "court_code" in df.columns:
                    df["court_name"] = df["court_code"].map(names).fillna(df["court_code"])
                out[k] = df
            return out
        df = self.cached("ledger_frames", (as_of, cal.fingerprint(), str(ladder), tuple(names.items())), build)[kind]
        if df.empty:
            return df
        mask = pd.Series(True, index=df.index)
        for k, v in filters.items():
            if k not in df.columns:  # as filter_rows: a row without the column does not match
                return df.iloc[0:0]
            mask &= df[k] == v
        return df[mask]

    def ledger_counts(self, filters: dict) -> dict:
        """超审限, 临近, 长期未结 per tier, 四项未结 and 暂定日历 cases of the scope ``filters`` (the 审限监控 cards),
        once per scope and snapshot."""
        as_of, cal, ladder = self._ledger_inputs()
        params = (as_of, cal.fingerprint(), str(ladder), _key(filters))
        kept = self.peek("ledger_counts", params)
        if kept is not None:
            return kept
        led = self.ledgers()
        due, long_ = self.ledger_frame("due", filters), self.ledger_frame("long", filters)
        status = due["status"].value_counts() if not due.empty else {}
        tier = long_["tier"].value_counts() if not long_.empty else {}
        return self.keep("ledger_counts", params, {
            "as_of": led["as_of"], "overdue": int(status.get("超审限", 0)), "near": int(status.get("临近", 0)),
            "tiers": {t: int(tier.get(t, 0)) for t in led["tiers"]}, "four": len(self.ledger_frame("four", filters)),
            "provisional": len(self.ledger_frame("provisional", filters))})

    def _forecast(self, court: str, as_of: date) -> Any:
        """The year-end ``Forecast`` object, once: 测算, 结案所需 and 目标进度 all start from it."""
        from zhixiao.analysis.forecast import forecast_year_end

        return self.cached("forecast_fc", (court, as_of), lambda e: forecast_year_end(e, court, as_of))

    def forecast(self, court: str, as_of: date) -> dict:
        kept = self.peek("forecast", (court, as_of))
        if kept is not None:
            return kept
        fc = self._forecast(court, as_of)
        return self.keep("forecast", (court, as_of), {
            "rows": fc.rows(), "path": fc.path, "note": fc.note, "closed_ytd": fc.closed_ytd,
            "pending_now": fc.pending_now, "carried_over": fc.carried_over, "new_cases_ytd": fc.new_cases_ytd})

    def closings_needed(self, court: str, as_of: date, rate: float) -> list[dict]:
        from zhixiao.analysis.targets import closings_needed

        params = (court, as_of, rate)
        kept = self.peek("closings", params)
        if kept is not None:
            return kept
        fc = self._forecast(court, as_of)  # asked before borrowing an engine: one engine per question
        return self.cached("closings", params, lambda e: closings_needed(e, court, as_of, rate, forecast=fc))

    def targets_progress(self, court: str, year: int, as_of: date) -> list[dict]:
        from zhixiao.analysis.targets import list_targets, progress_with

        # targets live in the ops DB: the stored targets themselves are part of the key, so an edit shows at once
        targets = list_targets(self.settings.ops_url, court, year)
        params = (court, year, as_of, repr(targets))
        kept = self.peek("targets", params)
        if kept is not None or not targets:
            return kept if kept is not None else self.keep("targets", params, [])
        day = min(as_of, date(year, 12, 31))
        fc = self._forecast(court, day)
        # the year-to-date values the forecast does not cover (平均审理天数, 审限内结案率) as 总览 shows them
        values = {r["indicator"]: r["value"] for r in self.indicators(date(year, 1, 1), day, {"court_code": court})
                  if not r.get("group")}
        return self.cached("targets", params, lambda e: progress_with(self.settings, e, court, year, day,
                                                                     forecast=fc, values=values))


def filter_rows(rows: list[dict], filters: dict) -> list[dict]:
    """Rows whose columns equal every filter (the scope filter for cached whole-store ledgers)."""
    return [r for r in rows if all(r.get(k) == v for k, v in filters.items())]
