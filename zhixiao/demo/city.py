"""The demo city as data: courts, divisions, staff roster and name pools, read from ``data/demo_city.toml``.

Everything here is deterministic in the seed so that two runs build byte-identical stores.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources

import numpy as np
import pyarrow as pa

from zhixiao.domain.courts import court_name

POSTS = ("院领导", "员额法官", "法官助理", "书记员")


@cache
def spec() -> dict:
    """The parsed ``demo_city.toml`` (cached; treat as read-only)."""
    with resources.files("zhixiao.data").joinpath("demo_city.toml").open("rb") as fh:
        return tomllib.load(fh)


def court_display_name(code: str, fallback: str) -> str:
    """The registry name when ``zhixiao.domain.courts`` knows the court, else the real name from our TOML."""
    return court_name(code) or fallback


@dataclass
class Court:
    idx: int
    code: str
    name: str
    level: str  # intermediate | basic
    volume: int
    admin: bool
    ftz: bool
    divisions: list[str]
    # roster: parallel arrays over this court's staff (people table rows)
    staff_ids: list[str] = field(default_factory=list)
    staff_names: list[str] = field(default_factory=list)
    staff_division: list[str] = field(default_factory=list)
    staff_post: list[str] = field(default_factory=list)
    staff_team: list[str | None] = field(default_factory=list)
    staff_from: list[date] = field(default_factory=list)
    # judges (员额法官 + 院领导 who hear cases) per division: division → (array of staff indices, weights)
    benches: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    ftz_team_of: dict[int, str] = field(default_factory=dict)

    def divisions_like(self, keyword: str) -> list[str]:
        hits = [d for d in self.divisions if keyword in d and d != spec()["ftz"]["division"]]
        if not hits and keyword == "立案":
            hits = [d for d in self.divisions if "诉讼服务" in d]
        return hits


def _names(rng: np.random.Generator, n: int) -> list[str]:
    names = spec()["names"]
    sur = np.array(list(names["surnames"]))
    giv = np.array(list(names["given"]))
    # surname frequency falls off with rank (王/李/张 are the most common)
    w = 1.0 / np.arange(1, len(sur) + 1) ** 0.8
    s = rng.choice(sur, size=n, p=w / w.sum())
    g1 = rng.choice(giv, size=n)
    g2 = rng.choice(giv, size=n)
    two = rng.random(n) < 0.7
    return [a + b + (c if t else "") for a, b, c, t in zip(s, g1, g2, two, strict=True)]


def _roster(court: Court, seed: int) -> None:
    """Staff per division: 员额法官 (with stable judge_id like 冀0123-J017), 法官助理, 书记员, 院领导."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(court.idx, 9001)))
    cfg = next(c for c in spec()["courts"] if c["code"] == court.code)
    n_judges = int(cfg["judges"])
    weights = []
    for d in court.divisions:
        w = 1.0
        if "民事" in d:
            w = 3.0
        elif "执行" in d:
            w = 3.2
        elif "刑事" in d:
            w = 1.6
        elif "行政" in d:
            w = 0.8
        elif "速裁" in d or "自贸" in d:
            w = 1.5
        elif "立案" in d or "诉讼服务" in d:
            w = 0.7
        weights.append(w)
    wt = np.array(weights) / sum(weights)
    per_div = np.maximum(2, np.round(wt * n_judges).astype(int))
    ftz = spec()["ftz"]
    if ftz["division"] in court.divisions:  # at least one judge per specialised FTZ team
        k = court.divisions.index(ftz["division"])
        per_div[k] = max(per_div[k], len(ftz["teams"]))
    names = _names(rng, int(per_div.sum()) * 3 + 8)
    it = iter(names)

    def add(pid: str, post: str, division: str, team: str | None = None) -> int:
        court.staff_ids.append(pid)
        court.staff_names.append(next(it))
        court.staff_division.append(division)
        court.staff_post.append(post)
        court.staff_team.append(team)
        court.staff_from.append(date(int(rng.integers(2012, 2024)), int(rng.integers(1, 13)), 1))
        return len(court.staff_ids) - 1

    leaders = []
    for k, title in enumerate(("院长", "副院长", "副院长", "副院长", "审判委员会专职委员")):
        del title  # the post column uses the roster vocabulary; the title is implied by the order
        leaders.append(add(f"{court.code}-L{k + 1:02d}", "院领导", "院领导"))
    j = 0
    for d, n in zip(court.divisions, per_div, strict=True):
        idxs = []
        for k in range(int(n)):
            j += 1
            team = ftz["teams"][k % len(ftz["teams"])] if d == ftz["division"] else None
            i = add(f"{court.code}-J{j:03d}", "员额法官", d, team)
            idxs.append(i)
            if team:
                court.ftz_team_of[i] = team
            add(f"{court.code}-A{j:03d}", "法官助理", d, team)
            if k % 2 == 0:
                add(f"{court.code}-C{j:03d}", "书记员", d, team)
        # 院领导 also hear a few cases (院庭长办案) in the main divisions
        if "民事" in d or "刑事" in d or "执行" in d:
            idxs.append(leaders[len(court.benches) % len(leaders)])
        w = rng.gamma(4.0, 1.0, size=len(idxs))
        if court.staff_post[idxs[-1]] == "院领导":
            w[-1] = w.mean() * 0.15
        out = spec()["outlier"]
        if (court.code, d) == (out["court"], out["division"]):  # the outlier judge carries a full docket
            w[0] = w.max()
        court.benches[d] = (np.array(idxs, dtype=np.int32), w / w.sum())


@dataclass
class City:
    seed: int
    courts: list[Court]

    def court(self, code: str) -> Court:
        return next(c for c in self.courts if c.code == code)

    @property
    def intermediate(self) -> Court:
        return next(c for c in self.courts if c.level == "intermediate")

    def people_table(self, year: int) -> pa.Table:
        rows: dict[str, list] = {k: [] for k in ("judge_id", "name", "court_code", "year", "division", "post",
                                                  "team", "active_from", "active_to")}
        for c in self.courts:
            n = len(c.staff_ids)
            rows["judge_id"] += c.staff_ids
            rows["name"] += c.staff_names
            rows["court_code"] += [c.code] * n
            rows["year"] += [year] * n
            rows["division"] += c.staff_division
            rows["post"] += c.staff_post
            rows["team"] += c.staff_team
            rows["active_from"] += c.staff_from
            rows["active_to"] += [None] * n
        return pa.table(rows)


def build(seed: int) -> City:
    courts = []
    for i, c in enumerate(spec()["courts"]):
        court = Court(
            idx=i, code=c["code"], name=court_display_name(c["code"], c["name"]), level=c["level"],
            volume=int(c["volume"]), admin=bool(c.get("admin", False)), ftz=bool(c.get("ftz", False)),
            divisions=list(c["divisions"]),
        )
        _roster(court, seed)
        courts.append(court)
    return City(seed=seed, courts=courts)


def entity_pool(seed: int, n_people: int = 40000) -> tuple[np.ndarray, int, int]:
    """Party names: persons, then companies, then banks. Returns (names, first_company, first_bank)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(9002,)))
    names = spec()["names"]
    persons = _names(rng, n_people)
    comps = sorted({p + c + k for p in names["company_prefix"] for c in names["company_core"]
                    for k in names["company_kind"]})
    rng.shuffle(comps)
    comps = comps[:1500]
    pool = np.array(persons + comps + list(names["banks"]), dtype=object)
    return pool, len(persons), len(persons) + len(comps)


def lawyer_pool(seed: int) -> np.ndarray:
    """Lawyers as “姓名（律所）”; a few recur across many cases (Zipf weights in the generator)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(9003,)))
    names = spec()["names"]
    n = int(names["lawyers"])
    firms = rng.choice(np.array(names["law_firms"]), size=n)
    return np.array([f"{p}（{f}）" for p, f in zip(_names(rng, n), firms, strict=True)], dtype=object)
