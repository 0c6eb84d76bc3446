"""Synthetic Shijiazhuang-like city: vectorised generation of cases, events and staff into the case store.

Year by year, court by court (the intermediate court last in each year, so appeals from the basic courts
of that year are already known), each (court, year) partition is generated with numpy and written in its
own chunk, so memory stays bounded by one court-year plus the small buffer of follow-up proceedings
(执, 执恢, 上诉 …) that are filed in later years. One warm-up year before ``start_year`` is simulated so
that 2024 starts with realistic 旧存 and follow-up filings; of it only the cases still pending at the
start and the origins of later cases are kept. Same seed + as_of + scale → byte-identical Parquet files.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zhixiao.demo import city as citymod
from zhixiao.demo.seasons import day, filing_weights, next_workday_map
from zhixiao.domain import case_types
from zhixiao.domain.time_limits import add_months
from zhixiao.store.cases import CaseStore
from zhixiao.store.schema import conform

# Processing order inside a court-year: parents before the proceedings they spawn.
TYPES = ("民诉前调", "民初", "刑初", "行初", "民特", "民督", "民催", "财保", "执保", "诉前调确", "诉前调书",
         "执", "执异", "执恢", "民终", "刑终", "行终", "执复")
APPELLATE = ("民终", "刑终", "行终", "执复")
PROCS = ("civil_small_claims", "civil_simplified", "civil_ordinary", "civil_special", "civil_second_judgment",
         "criminal_speedy", "criminal_simplified", "criminal_public", "criminal_second", "admin_simplified",
         "admin_first", "admin_second", "enforcement", "enforcement_objection", "enforcement_review",
         "pre_suit_mediation", "no_limit", "civil_payment_order", "preservation_pre_suit")
P = {p: i for i, p in enumerate(PROCS)}
# Types the city file lists as no_limit but that have a statutory limit (issue 13): their procedure is the
# case-type registry's default, and these durations follow practice — 支付令 within about ten days, most 保全
# ruled the day after filing (limit in days: 15 and the 48 hours' ⌈48/24⌉ = 2, data/time_limits.toml).
REGISTRY_LIMITED = {"civil_payment_order": {"limit": 15, "mean": 9, "ext_months": 0, "approver": ""},
                    "preservation_pre_suit": {"limit": 2, "mean": 1, "ext_months": 0, "approver": ""}}
METHODS = ("判决", "调解", "撤诉", "驳回起诉", "移送", "其他", "执行完毕", "终结本次执行程序", "终结执行", "和解",
           "不予执行", "销案", "驳回", "撤销", "撤回", "裁定", "驳回申请", "撤回申请", "调解成功", "调解不成",
           "准予保全", "发回重审")
M = {m: i for i, m in enumerate(METHODS)}
APPEAL_RESULTS = ("upheld", "reversed", "remanded", "withdrawn", "mediated")
RESULT_METHOD = np.array([M["判决"], M["判决"], M["发回重审"], M["撤诉"], M["调解"]])
DEDUCTION_REASONS = ("公告", "鉴定", "和解", "管辖异议", "审计评估", "拍卖")
# Enforcement-measure tags feed the five 终本 conditions (《关于严格规范终结本次执行程序的规定(试行)》, 2016);
# agency_corrected marks 行政争议实质性化解 (withdrawal after the agency corrected itself).
# 执行和解 marks an enforcement closed after a settlement (performed → 执行完毕, withdrawn → 终结执行; 法发〔2014〕26号
# arts 16-17), which the 2008 实际执结率 counts.
TAGS = ("foreign_related", "ftz", "detained", "small_claim", "petition", "涉企",
        "执行通知", "限制消费", "财产调查", "no_property", "agency_corrected", "执行和解")
(T_FOREIGN, T_FTZ, T_DETAINED, T_SMALL, T_PETITION, T_ENTERPRISE,
 T_NOTICE, T_RESTRICT, T_INVESTIGATE, T_NOPROP, T_CORRECTED, T_SETTLE) = (1 << i for i in range(12))
PROCEDURE_CHANGE_REASONS = ("简易转普通", "小额转普通", "小额转简易", "刑事简易转普通", "速裁转普通")
_CAL0, _CAL1 = 2018, 2032
_SEEDS = {"primary": 1, "sim": 2, "order": 3, "spawn": 4, "refile": 5, "legacy": 6}


@dataclass
class DemoSummary:
    """What ``build_city`` wrote: rows per table, and per court the new cases per year and pending at as_of."""

    as_of: date
    seed: int
    scale: float
    rows: dict[str, int] = field(default_factory=dict)
    courts: list[dict] = field(default_factory=list)  # court_code, court_name, new_cases {year: n}, pending
    outlier_judge: str | None = None
    seconds: float = 0.0


# --------------------------------------------------------------------------------------------------- frames
Frame = dict[str, np.ndarray]


def _concat(frames: list[Frame]) -> Frame:
    if len(frames) == 1:
        return frames[0]
    return {k: np.concatenate([f[k] for f in frames]) for k in frames[0]}


def _take(f: Frame, idx: np.ndarray) -> Frame:
    return {k: v[idx] for k, v in f.items()}


def _len(f: Frame) -> int:
    return len(f["filing"])


def _raw(n: int) -> Frame:
    """Columns every proceeding carries before simulation (inherited by follow-up proceedings)."""
    return {
        "filing": np.zeros(n, np.int32), "cause": np.zeros(n, np.int32), "p1": np.zeros(n, np.int32),
        "p2": np.zeros(n, np.int32), "lawyer": np.full(n, -1, np.int32), "dispute": np.zeros(n, np.int64),
        "claim": np.full(n, -1, np.int64), "applied": np.full(n, -1, np.int64),
        "origin": np.full(n, None, object), "ocourt": np.full(n, -1, np.int16), "tags": np.zeros(n, np.int16),
        "proc0": np.full(n, -1, np.int8), "aresult": np.full(n, -1, np.int8),
    }


def _years_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _months_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12 + 1


def _jan1(years: np.ndarray) -> np.ndarray:
    return (years - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)


# --------------------------------------------------------------------------------------------------- context
class _Ctx:
    def __init__(self, city: citymod.City, seed: int, scale: float, as_of: date):
        self.city, self.seed, self.scale = city, seed, scale
        self.as_of = day(as_of)
        self.s = citymod.spec()
        self.buffer: dict[tuple[int, str, int], list[Frame]] = defaultdict(list)
        self.pool, self.first_company, self.first_bank = citymod.entity_pool(seed)
        # procuratorates and agencies follow the persons/companies/banks in the entity pool
        self.procuratorate = {}
        extra = []
        for c in city.courts:
            self.procuratorate[c.idx] = len(self.pool) + len(extra)
            extra.append(c.name.replace("中级人民法院", "人民检察院").replace("人民法院", "人民检察院"))
        self.first_agency = len(self.pool) + len(extra)
        city_name = self.s["city"]
        extra += [f"{city_name}{a}" for a in ("人民政府", "公安局", "市场监督管理局", "人力资源和社会保障局",
                                               "自然资源和规划局", "生态环境局", "住房和城乡建设局", "城市管理综合行政执法局")]
        self.pool = np.concatenate([self.pool, np.array(extra, dtype=object)])
        self.pool_arrow = pa.array(self.pool.tolist(), pa.string())
        self.lawyers = pa.array(citymod.lawyer_pool(seed).tolist(), pa.string())
        lw = 1.0 / np.arange(1, len(self.lawyers) + 1) ** 1.1  # a few lawyers recur across many cases
        self.lawyer_p = lw / lw.sum()
        causes: list[str] = []
        self.cause_sets: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for key, items in self.s["causes"].items():
            idx = []
            for name, _ in items:
                if name not in causes:
                    causes.append(name)
                idx.append(causes.index(name))
            w = np.array([x[1] for x in items], float)
            self.cause_sets[key] = (np.array(idx, np.int32), w / w.sum())
        self.causes = causes
        claims = self.s["claims"]
        self.claim_median = np.array([float(claims.get(c, claims["default"])) for c in causes])
        self.claim_none = np.array([c in claims["none"] for c in causes])
        self.company_plaintiff = np.array([c in ("金融借款合同纠纷", "信用卡纠纷", "物业服务合同纠纷", "买卖合同纠纷",
                                                  "融资租赁合同纠纷", "追偿权纠纷") for c in causes])
        self.bank_plaintiff = np.array([c in ("金融借款合同纠纷", "信用卡纠纷") for c in causes])
        sh = self.s["shares"]
        self.p = sh
        self.procs = {**REGISTRY_LIMITED, **self.s["procedures"]}
        self.limit = np.array([self.procs[p]["limit"] for p in PROCS], np.int32)
        self.mean = np.array([self.procs[p]["mean"] for p in PROCS], float)
        self.ext_p = np.array([self.procs[p].get("ext_p", sh["extension"]) for p in PROCS])
        self.ext_months = np.array([self.procs[p]["ext_months"] for p in PROCS], np.int32)
        o = self.s["outlier"]
        oc = city.court(o["court"])
        bench = oc.benches[o["division"]][0]
        self.outlier = (oc.idx, int(bench[0]))
        self.outlier_id = oc.staff_ids[int(bench[0])]
        # warm-up bookkeeping: slim index of the warm-up years and references into them
        self.start_year = int(self.s["start_year"])
        self.warm: list[pa.Table] = []
        self.refs: list[pa.Array] = []

    def rng(self, *key: int) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=tuple(int(k) for k in key)))


def _choice_shares(rng: np.random.Generator, n: int, shares: dict[str, float]) -> np.ndarray:
    keys = list(shares)
    w = np.array([shares[k] for k in keys], float)
    return rng.choice(len(keys), size=n, p=w / w.sum()), keys


# --------------------------------------------------------------------------------------------------- primary
def _primary(ctx: _Ctx, court: citymod.Court, t: str, year: int) -> Frame | None:
    level = "intermediate" if court.level == "intermediate" else "basic"
    share = ctx.s["primary"][level].get(t)
    if share is None or (t == "行初" and not court.admin):
        return None
    rng = ctx.rng(court.idx, year, TYPES.index(t), _SEEDS["primary"])
    n = int(rng.poisson(court.volume * ctx.scale * share))
    if n == 0:
        return None
    f = _raw(n)
    w = filing_weights(year)
    f["filing"] = (rng.choice(len(w), size=n, p=w) + day(date(year, 1, 1))).astype(np.int32)
    cat = ctx.s["types"][t]["category"]
    key = {"民初": "civil", "刑初": "criminal", "行初": "administrative", "民特": "special", "民督": "supervise",
           "民催": "notice", "财保": "preservation", "民诉前调": "civil"}[t]
    idx, p = ctx.cause_sets[key]
    f["cause"] = idx[rng.choice(len(idx), size=n, p=p)]
    tags = np.zeros(n, np.int16)
    if t == "民初" and court.ftz:
        ftz = rng.random(n) < ctx.s["ftz"]["share_of_civil"]
        fidx, fp = ctx.cause_sets["ftz"]
        f["cause"][ftz] = fidx[rng.choice(len(fidx), size=int(ftz.sum()), p=fp)]
        tags[ftz] |= T_FTZ
        tags[ftz & (rng.random(n) < 0.15)] |= T_FOREIGN
    n_person = ctx.first_company
    persons = rng.integers(0, n_person, size=(2, n), dtype=np.int32)
    companies = rng.integers(ctx.first_company, ctx.first_bank, size=(2, n), dtype=np.int32)
    banks = rng.integers(ctx.first_bank, ctx.first_bank + 6, size=n, dtype=np.int32)
    if cat == "criminal":
        f["p1"][:] = ctx.procuratorate[court.idx]
        f["p2"] = persons[1]
        tags[rng.random(n) < 0.58] |= T_DETAINED
        law = rng.random(n) < 0.4
    elif cat == "administrative":
        f["p1"] = np.where(rng.random(n) < 0.7, persons[0], companies[0])
        f["p2"] = rng.integers(ctx.first_agency, len(ctx.pool), size=n, dtype=np.int32)
        law = rng.random(n) < 0.6
    else:
        co1 = ctx.company_plaintiff[f["cause"]] & (rng.random(n) < 0.8)
        f["p1"] = np.where(ctx.bank_plaintiff[f["cause"]] & co1, banks, np.where(co1, companies[0], persons[0]))
        co2 = (rng.random(n) < 0.22) | ((tags & T_FTZ) > 0)
        f["p2"] = np.where(co2, companies[1], persons[1])
        ent = co1 | co2
        tags[ent] |= T_ENTERPRISE
        law = rng.random(n) < np.where(ent, 0.75, 0.45)
    f["lawyer"] = np.where(law, rng.choice(len(ctx.lawyers), size=n, p=ctx.lawyer_p), -1).astype(np.int32)
    tags[rng.random(n) < ctx.p["foreign_related"]] |= T_FOREIGN
    f["tags"] = tags
    med = ctx.claim_median[f["cause"]]
    claim = np.round(med * rng.lognormal(0.0, ctx.s["claims"]["sigma"], size=n) / 100.0) * 100
    has_claim = (~ctx.claim_none[f["cause"]]) & (cat != "criminal") & (cat != "administrative")
    f["claim"] = np.where(has_claim, np.maximum(claim, 500), -1).astype(np.int64)
    base = ((court.idx + 1) * 10000 + year) * 10**9 + TYPES.index(t) * 10**7
    f["dispute"] = base + np.arange(n, dtype=np.int64)
    return f


# --------------------------------------------------------------------------------------------------- simulate
def _assign_judges(ctx: _Ctx, rng: np.random.Generator, f: Frame, court: citymod.Court, t: str) -> None:
    n = _len(f)
    kw = ctx.s["types"][t]["division"]
    cands = court.divisions_like(kw) or court.divisions_like("立案") or [court.divisions[0]]
    div_names = court.divisions
    div = np.array([div_names.index(c) for c in cands], np.int16)[rng.integers(0, len(cands), size=n)]
    proc = f["proc"]
    if t == "民初":
        fast = [d for d in div_names if "速裁" in d]
        if fast:
            small = ((proc == P["civil_small_claims"]) | (proc == P["civil_simplified"])) & (rng.random(n) < 0.4)
            div[small] = div_names.index(fast[0])
        ftz_div = ctx.s["ftz"]["division"]
        if ftz_div in div_names:
            div[(f["tags"] & T_FTZ) > 0] = div_names.index(ftz_div)
    judge = np.zeros(n, np.int32)
    for d in np.unique(div):
        m = div == d
        staff, w = court.benches[div_names[d]]
        judge[m] = staff[rng.choice(len(staff), size=int(m.sum()), p=w)]
    f["division"], f["judge"] = div, judge


def _simulate(ctx: _Ctx, rng: np.random.Generator, f: Frame, court: citymod.Court, t: str) -> None:
    """Procedure, judge, outcome and timeline of each proceeding (independent of as_of). The steps draw from
    ``rng`` in this order; changing it changes every store built from a seed."""
    f["proc"] = _procedure(ctx, rng, f, court, t)
    _assign_judges(ctx, rng, f, court, t)
    f["method"] = _method(ctx, rng, f, t)
    _timeline(ctx, rng, f, court, t)
    _hearings_and_appeals(ctx, rng, f, t)
    _money_and_tags(ctx, rng, f, t)


def _procedure(ctx: _Ctx, rng: np.random.Generator, f: Frame, court: citymod.Court, t: str) -> np.ndarray:
    """The procedure each proceeding starts under (a preset one kept, e.g. a retrial's)."""
    n = _len(f)
    ty = ctx.s["types"][t]
    sh = ctx.p
    if t in ("民初", "刑初", "行初"):
        shares = sh[{"民初": "civil_procedure", "刑初": "criminal_procedure", "行初": "admin_procedure"}[t]]
        if court.level == "intermediate":
            shares = {"civil_ordinary": 1.0} if t == "民初" else shares
            shares = {"criminal_public": 1.0} if t == "刑初" else shares
            shares = {"admin_first": 1.0} if t == "行初" else shares
        k, keys = _choice_shares(rng, n, shares)
        proc = np.array([P[x] for x in keys], np.int8)[k]
        preset = f["proc0"] >= 0
        proc[preset] = f["proc0"][preset]
    else:
        name = ty.get("procedure", "civil_second_judgment" if t == "民终" else "no_limit")
        if name == "no_limit" and (ct := case_types.get(t)) is not None and ct.default_procedure in REGISTRY_LIMITED:
            name = ct.default_procedure
        proc = np.full(n, P[name], np.int8)
    return proc


def _method(ctx: _Ctx, rng: np.random.Generator, f: Frame, t: str) -> np.ndarray:
    """How each proceeding closes (结案方式); a second instance's from its appeal result (``aresult``)."""
    n = _len(f)
    ty = ctx.s["types"][t]
    cat = ty["category"]
    closing = ctx.s["closing"]
    mix = {"civil": "civil", "criminal": "criminal", "administrative": "administrative",
           "enforcement": "enforcement", "mediation": "mediation", "preservation": "preservation"}.get(cat, "special")
    if ty["stage"] == "special":
        mix = "special"
    if ty["stage"] == "enforcement_review":
        mix = "enforcement_review"
    if t in ("诉前调确", "诉前调书"):
        mix = "special"
    k, keys = _choice_shares(rng, n, closing[mix])
    method = np.array([M[x] for x in keys], np.int16)[k]
    if t == "执保":
        method[:] = M["执行完毕"]
    if t == "诉前调书":
        method[:] = M["调解"]
    if ty["stage"] == "second":
        res_mix = closing["criminal_appeal_result" if cat == "criminal" else "appeal_result"]
        k, keys = _choice_shares(rng, n, res_mix)
        ares = np.array([APPEAL_RESULTS.index(x) for x in keys], np.int8)[k]
        f["aresult"] = ares
        method = RESULT_METHOD[ares].astype(np.int16)
    return method


def _timeline(ctx: _Ctx, rng: np.random.Generator, f: Frame, court: citymod.Court, t: str) -> None:
    """Duration and the 审限 events (extension, deduction, suspension, procedure change, restart), then the
    closing day; sets the final procedure."""
    n = _len(f)
    cat = ctx.s["types"][t]["category"]
    sh = ctx.p
    proc = f["proc"]
    L = ctx.limit[proc].astype(float)
    base = _base_duration(ctx, rng, f, L)
    dur = base.copy()
    u = rng.random(n)
    p_ext = ctx.ext_p[proc]
    if court.idx == ctx.outlier[0]:
        p_ext[f["judge"] == ctx.outlier[1]] = sh["outlier_extension"]
    extm = ctx.ext_months[proc]
    limited = L > 0
    c1 = p_ext
    c2 = c1 + sh["deduction"]
    c3 = c2 + sh["suspension"]
    c4 = c3 + sh["overdue"]
    c5 = c4 + sh["long_pending"]
    ext = (u < c1) & (extm > 0) & limited
    ded = (u >= c1) & (u < c2) & (cat != "criminal") & (t not in ("执保", "财保"))
    sus = (u >= c2) & (u < c3) & (cat in ("civil", "enforcement", "administrative")) & (t not in ("执保", "财保"))
    over = (u >= c3) & (u < c4) & limited
    longp = (u >= c4) & (u < c5) & np.isin(proc, [P["civil_ordinary"], P["civil_simplified"], P["admin_first"],
                                                  P["enforcement"], P["criminal_public"]])
    ext_len = extm * 30.4
    dur[ext] = L[ext] + 1 + rng.random(int(ext.sum())) * ext_len[ext] * 0.9
    ext_day = np.where(ext, f["filing"] + L - rng.integers(3, 13, n), -1)
    dlen = rng.integers(15, 121, n)
    frac = rng.uniform(0.1, 0.6, n)
    ded_s = np.where(ded, f["filing"] + (frac * base).astype(np.int64) + 1, -1)
    ded_e = np.where(ded, ded_s + dlen, -1)
    reasons = np.where(cat == "enforcement", rng.integers(4, 6, n), rng.integers(0, 4, n))
    dur[ded] = base[ded] + dlen[ded]
    slen = rng.integers(30, 201, n)
    sus_s = np.where(sus, f["filing"] + (frac * base).astype(np.int64) + 1, -1)
    sus_e = np.where(sus, sus_s + slen, -1)
    dur[sus] = base[sus] + slen[sus]
    dur[over] = L[over] + rng.uniform(3, 60, int(over.sum()))
    dur[longp] = rng.uniform(380, 1300, int(longp.sum()))
    ext2 = longp & (extm > 0)
    ext_day = np.where(ext2, f["filing"] + L - rng.integers(3, 13, n), ext_day)
    ext = ext | ext2
    dur, proc, pc, pc_day, pc_from = _procedure_changes(ctx, rng, f, L, ext | ded | sus | over | longp, dur)
    f["proc"] = proc
    # 超审限后补扣: some overdue cases record a deduction that began after the deadline had passed (12 days
    # after the statutory day clears any roll-forward); it must not count
    late = over & (dur > L + 30) & (cat != "criminal") & (rng.random(n) < 0.25)
    ded_s = np.where(late, f["filing"] + L.astype(np.int64) + 12, ded_s)
    ded_e = np.where(late, ded_s + 10, ded_e)
    # criminal 补充侦查: the 刑初 limit restarts (CrPL art 208)
    rs = (proc == P["criminal_public"]) & ~(ext | over | longp) & (rng.random(n) < sh["criminal_restart"])
    rs_day = np.where(rs, f["filing"] + rng.integers(20, 51, n), -1)
    dur = np.where(rs, (rs_day - f["filing"]) + rng.uniform(15, 56, n), dur)
    close = _closing_day(rng, f, dur, ~(ext | ded | sus | over | longp | pc | rs), np.isin(
        proc, [P["preservation_pre_suit"]]) & ~over, L)
    f["closing"] = close.astype(np.int32)
    f["ext_m"] = np.where(ext, extm, 0).astype(np.int8)
    f["ext_day"] = ext_day.astype(np.int32)
    f["ext2"] = ext2 & (proc == P["civil_ordinary"])
    f["ded_s"], f["ded_e"], f["ded_r"] = ded_s.astype(np.int32), ded_e.astype(np.int32), reasons.astype(np.int8)
    f["sus_s"], f["sus_e"] = sus_s.astype(np.int32), sus_e.astype(np.int32)
    f["pc_day"], f["pc_from"] = pc_day.astype(np.int32), pc_from
    f["rs_day"] = rs_day.astype(np.int32)


def _base_duration(ctx: _Ctx, rng: np.random.Generator, f: Frame, L: np.ndarray) -> np.ndarray:
    """Days to closing for a case no 审限 event touches: by closing method, under the limit where there is one."""
    n = _len(f)
    proc, method = f["proc"], f["method"]
    mean = ctx.mean[proc]
    base = rng.gamma(2.2, mean / 2.2)
    base = np.where(method == M["撤诉"], base * 0.6, base)
    base = np.where(method == M["执行完毕"], base * 0.75, base)
    zb = method == M["终结本次执行程序"]
    base = np.where(zb, rng.uniform(88, 210, n), base)  # 终本 mostly after 立案满三个月 (规定(试行) art 1)
    base = np.where(L > 0, np.minimum(base, L * rng.uniform(0.72, 0.97, n)), base)
    return np.maximum(base, 1.0)


def _procedure_changes(ctx: _Ctx, rng: np.random.Generator, f: Frame, L: np.ndarray, busy: np.ndarray,
                       dur: np.ndarray) -> tuple[np.ndarray, ...]:
    """Conversions to the ordinary procedure among cases with no other 审限 event (``busy``): returns the
    duration, the final procedure, the converted mask, the conversion day and the procedure before it."""
    n = _len(f)
    sh = ctx.p
    proc = f["proc"]
    # procedure changes: 简易/小额 → 普通 (the limit keeps counting from 立案, 民诉解释 258)
    pc = (np.isin(proc, [P["civil_simplified"], P["civil_small_claims"]]) & ~busy
          & (rng.random(n) < sh["procedure_change"]))
    pc_day = np.where(pc, f["filing"] + (L * rng.uniform(0.4, 0.9, n)).astype(np.int64), -1)
    to_simpl = pc & (proc == P["civil_small_claims"]) & (rng.random(n) < 0.3)
    pc_from = proc.copy()
    newp = np.where(to_simpl, P["civil_simplified"], P["civil_ordinary"]).astype(np.int8)
    extra = rng.gamma(2.2, 55 / 2.2, n)
    cap = ctx.limit[newp] * 0.97
    dur = np.where(pc, np.minimum((pc_day - f["filing"]) + extra, cap), dur)
    proc = np.where(pc, newp, proc).astype(np.int8)
    # criminal 简易/速裁 → 普通: the 普通 limit counts from the conversion decision (刑诉法解释)
    cpc = (np.isin(proc, [P["criminal_simplified"], P["criminal_speedy"]]) & ~(busy | pc)
           & (rng.random(n) < sh["procedure_change"]))
    cpc_day = np.where(cpc, f["filing"] + (L * rng.uniform(0.4, 0.9, n)).astype(np.int64), -1)
    ccap = (cpc_day - f["filing"]) + ctx.limit[P["criminal_public"]] * 0.97
    dur = np.where(cpc, np.minimum((cpc_day - f["filing"]) + extra, ccap), dur)
    pc_from = np.where(cpc, proc, pc_from)
    pc_day = np.where(cpc, cpc_day, pc_day)
    proc = np.where(cpc, P["criminal_public"], proc).astype(np.int8)
    return dur, proc, pc | cpc, pc_day, pc_from


def _closing_day(rng: np.random.Generator, f: Frame, dur: np.ndarray, plain: np.ndarray, hourly: np.ndarray,
                 L: np.ndarray) -> np.ndarray:
    """The closing day from the duration: the December surge for ``plain`` cases, then the next working day,
    except for an ``hourly`` limit ruled in time."""
    n = _len(f)
    close = f["filing"].astype(np.int64) + np.maximum(np.round(dur), 1).astype(np.int64)
    # December closing surge: some cases due in Jan–Feb are pushed into the old year's December
    cy = _years_of(close)
    early = plain & (close < _jan1(cy) + 50) & (rng.random(n) < 0.35)
    dec1 = _jan1(cy) - 31
    lo = np.maximum(dec1, f["filing"] + 1)
    pull = early & (lo < _jan1(cy))
    close = np.where(pull, lo + (rng.random(n) * (_jan1(cy) - lo)).astype(np.int64), close)
    # closings happen on working days
    cal0 = day(date(_CAL0, 1, 1))
    nw = next_workday_map(_CAL0, _CAL1)
    close = nw[np.clip(close - cal0, 0, len(nw) - 1)] + cal0
    # an hour limit does not roll over rest days: a 保全 ruled in time is ruled on the weekend if need be
    return np.where(hourly, np.minimum(close, f["filing"] + L.astype(np.int64)), close)


def _hearings_and_appeals(ctx: _Ctx, rng: np.random.Generator, f: Frame, t: str) -> None:
    """Hearings, 当庭裁判, and the appeal and transfer days of appealed judgments."""
    n = _len(f)
    ty = ctx.s["types"][t]
    cat = ty["category"]
    sh = ctx.p
    proc, method, close = f["proc"], f["method"], f["closing"].astype(np.int64)
    judgment = method == M["判决"]
    if ty["stage"] == "second":
        f["hearing"] = rng.random(n) < sh["second_hearing"]
        f["ruled"] = np.zeros(n, bool)
    elif ty["stage"] == "first":
        f["hearing"] = rng.random(n) < np.where(judgment, 0.96, 0.35)
        p_ruled = np.where(proc == P["criminal_speedy"], 0.9, sh["ruled_in_court"])
        f["ruled"] = judgment & f["hearing"] & (rng.random(n) < p_ruled)
    else:
        f["hearing"] = (rng.random(n) < 0.2) & (cat != "enforcement") & (cat != "mediation")
        f["ruled"] = np.zeros(n, bool)
    p_app = {"民初": ctx.s["derive"]["civil_appeal"], "刑初": ctx.s["derive"]["criminal_appeal"],
             "行初": ctx.s["derive"]["admin_appeal"]}.get(t, 0.0)
    app = judgment & (rng.random(n) < p_app)
    f["appeal_d"] = np.where(app, close + rng.integers(3, 16, n), -1).astype(np.int32)
    f["transfer_d"] = np.where(app, f["appeal_d"] + rng.integers(10, 31, n), -1).astype(np.int32)


def _money_and_tags(ctx: _Ctx, rng: np.random.Generator, f: Frame, t: str) -> None:
    """Money collected in enforcement, small-claim amounts, and the tags (小额, 申诉, 执行 measures, 行政 corrected)."""
    n = _len(f)
    cat = ctx.s["types"][t]["category"]
    proc, method = f["proc"], f["method"]
    judgment = method == M["判决"]
    applied = f["applied"]
    if cat == "enforcement" and t != "执异":
        # 终本 after part payment is common; 终结执行 mostly follows a settlement (2025Q1 national 执行到位率 56.74%)
        frac_c = np.select(
            [method == M["执行完毕"], method == M["终结本次执行程序"], method == M["终结执行"]],
            [np.ones(n), rng.uniform(0, 0.4, n), rng.uniform(0.3, 0.95, n)], 0.0)
        f["collected"] = np.where(applied >= 0, np.floor(applied * frac_c), -1).astype(np.int64)
    else:
        f["collected"] = np.full(n, -1, np.int64)
    small = proc == P["civil_small_claims"]
    f["claim"] = np.where(small & (f["claim"] > 0), np.minimum(f["claim"], rng.integers(1000, 45001, n)), f["claim"])
    tags = f["tags"].copy()
    tags[small] |= T_SMALL
    tags[(rng.random(n) < ctx.p["petition"]) & judgment] |= T_PETITION
    if t in ("执", "执恢"):
        zb_closed = method == M["终结本次执行程序"]
        u = rng.random((5, n))
        tags[(u[0] < 0.93) | zb_closed] |= T_NOTICE
        tags[(u[1] < 0.65) | (zb_closed & (u[1] < 0.97))] |= T_RESTRICT
        tags[(u[2] < 0.75) | (zb_closed & (u[2] < 0.95))] |= T_INVESTIGATE
        tags[zb_closed & (u[3] < 0.9)] |= T_NOPROP
        tags[((method == M["执行完毕"]) & (u[4] < 0.25)) | ((method == M["终结执行"]) & (u[4] < 0.6))] |= T_SETTLE
    if t == "行初":
        tags[(method == M["撤诉"]) & (rng.random(n) < 0.5)] |= T_CORRECTED
    f["tags"] = tags


# --------------------------------------------------------------------------------------------------- spawn
def _child(parent: Frame, idx: np.ndarray, filing: np.ndarray, court_idx: int) -> Frame:
    f = _raw(len(idx))
    for k in ("cause", "p1", "p2", "lawyer", "dispute", "claim", "tags"):
        f[k] = parent[k][idx].copy()
    f["tags"] &= ~np.int16(T_SMALL | T_PETITION | T_NOTICE | T_RESTRICT | T_INVESTIGATE | T_NOPROP | T_CORRECTED
                           | T_SETTLE)
    f["filing"] = filing.astype(np.int32)
    f["origin"] = parent["case_id"][idx]
    f["ocourt"][:] = court_idx
    return f


def _push(ctx: _Ctx, court_idx: int, t: str, f: Frame) -> None:
    keep = f["filing"] <= ctx.as_of
    if not keep.any():
        return
    f = _take(f, np.nonzero(keep)[0])
    ys = _years_of(f["filing"])
    for y in np.unique(ys):
        ctx.buffer[(court_idx, t, int(y))].append(_take(f, np.nonzero(ys == y)[0]))


def _spawn(ctx: _Ctx, court: citymod.Court, t: str, year: int, f: Frame) -> None:
    """Follow-up proceedings of finished parents: 执, 执保, 执恢, 执异, 执复, 诉前调确/调书, appeals."""
    rng = ctx.rng(court.idx, year, TYPES.index(t), _SEEDS["spawn"])
    d = ctx.s["derive"]
    n = _len(f)
    closed = f["closing"] <= ctx.as_of
    meth = f["method"]
    upper = ctx.city.intermediate
    if t == "民初":
        money = (f["claim"] > 0) & closed & ((meth == M["判决"]) | (meth == M["调解"]))
        pick = np.nonzero(money & (rng.random(n) < d["enforcement"]))[0]
        appealed = f["appeal_d"][pick] >= 0
        lag = np.where(appealed, rng.integers(120, 260, len(pick)), rng.integers(20, 150, len(pick)))
        ch = _child(f, pick, f["closing"][pick] + lag, court.idx)
        ch["applied"] = np.floor(ch["claim"] * rng.uniform(0.5, 1.0, len(pick))).astype(np.int64)
        _push(ctx, court.idx, "执", ch)
        pick = np.nonzero((f["claim"] > 0) & (rng.random(n) < d["preservation_exec"]))[0]
        ch = _child(f, pick, f["filing"][pick] + rng.integers(1, 21, len(pick)), court.idx)
        ch["applied"] = np.floor(ch["claim"] * rng.uniform(0.3, 1.0, len(pick))).astype(np.int64)
        _push(ctx, court.idx, "执保", ch)
    if t in ("民初", "刑初", "行初") and court.level == "basic":
        pick = np.nonzero(f["transfer_d"] >= 0)[0]
        ch = _child(f, pick, f["transfer_d"][pick] + rng.integers(0, 4, len(pick)), court.idx)
        _push(ctx, upper.idx, {"民初": "民终", "刑初": "刑终", "行初": "行终"}[t], ch)
    if t == "民诉前调":
        pick = np.nonzero(closed & (meth == M["调解成功"]))[0]
        conf = rng.random(len(pick)) < d["mediation_confirm"]
        fil = f["closing"][pick] + rng.integers(0, 6, len(pick))
        ch = _child(f, pick, fil, court.idx)
        _push(ctx, court.idx, "诉前调确", _take(ch, np.nonzero(conf)[0]))
        _push(ctx, court.idx, "诉前调书", _take(ch, np.nonzero(~conf)[0]))
    if t in ("执", "执恢"):
        rest = f["applied"] - np.maximum(f["collected"], 0)
        if t == "执":
            pick = np.nonzero(closed & (meth == M["终结本次执行程序"]) & (rest > 0)
                              & (rng.random(n) < d["resumption"]))[0]
            ch = _child(f, pick, f["closing"][pick] + rng.integers(60, 700, len(pick)), court.idx)
            ch["applied"] = rest[pick]
            _push(ctx, court.idx, "执恢", ch)
        pick = np.nonzero(rng.random(n) < d["objection"])[0]
        fil = f["filing"][pick] + rng.integers(10, 91, len(pick))
        ok = fil < f["closing"][pick]
        ch = _child(f, pick[ok], fil[ok], court.idx)
        _push(ctx, court.idx, "执异", ch)
    if t == "执异" and court.level == "basic":
        pick = np.nonzero(closed & (meth == M["驳回"]) & (rng.random(n) < d["objection_review"] / 0.7))[0]
        ch = _child(f, pick, f["closing"][pick] + rng.integers(10, 26, len(pick)), court.idx)
        _push(ctx, upper.idx, "执复", ch)


def _refiles(ctx: _Ctx, rng: np.random.Generator, f: Frame, court: citymod.Court, year: int) -> Frame:
    """A few 撤诉 then 再起诉 within 30 days (same parties, cause and dispute) for the anomaly signals."""
    k = max(1, int(round(ctx.s["shares"]["refile_pairs"] * ctx.scale)))
    end = day(date(year, 12, 31))
    cand = np.nonzero((f["method"] == M["撤诉"]) & (f["closing"] + 30 <= min(end, ctx.as_of)))[0]
    if len(cand) == 0:
        return f
    pick = np.sort(rng.choice(cand, size=min(k, len(cand)), replace=False))
    new = {key: v[pick].copy() for key, v in f.items() if key in _raw(0)}
    new["filing"] = (f["closing"][pick] + rng.integers(1, 31, len(pick))).astype(np.int32)
    new["proc0"] = np.full(len(pick), P["civil_simplified"], np.int8)
    _simulate(ctx, rng, new, court, "民初")
    return _concat([f, new])


# --------------------------------------------------------------------------------------------------- tables
def _dates(x: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    x = np.asarray(x, np.int32)
    mask = x < 0 if valid is None else ~valid | (x < 0)
    return pa.array(x, pa.int32(), mask=mask).cast(pa.date32())


def _money(x: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    mask = x < 0 if valid is None else ~valid | (x < 0)
    arr = pa.array(np.asarray(x, np.int64), pa.int64(), mask=mask)
    return arr.cast(pa.decimal128(38, 2)).cast(pa.decimal128(18, 2))  # int64 needs 21 digits of precision


def _vocab(words, idx: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    mask = idx < 0 if valid is None else ~valid | (idx < 0)
    return pa.array(list(words), pa.string()).take(pa.array(np.asarray(idx, np.int32), pa.int32(), mask=mask))


def _tags(bits: np.ndarray) -> pa.Array:
    mat = ((bits[:, None] >> np.arange(len(TAGS))) & 1).astype(bool)
    values = np.broadcast_to(np.array(TAGS, dtype=object), mat.shape)[mat]
    offsets = np.concatenate([[0], np.cumsum(mat.sum(axis=1))]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(values.tolist(), pa.string()))


def _cases_table(ctx: _Ctx, court: citymod.Court, year: int, t: str, f: Frame) -> pa.Table:
    n = _len(f)
    ty = ctx.s["types"][t]
    closed = f["closing"] <= ctx.as_of
    appealed = closed & (f["appeal_d"] >= 0) & (f["appeal_d"] <= ctx.as_of)
    transferred = appealed & (f["transfer_d"] <= ctx.as_of)
    parties = pc.binary_join_element_wise(ctx.pool_arrow.take(pa.array(f["p1"])),
                                          ctx.pool_arrow.take(pa.array(f["p2"])), "；")
    lawyer = ctx.lawyers.take(pa.array(f["lawyer"], pa.int32(), mask=f["lawyer"] < 0))
    dispute = pc.binary_join_element_wise(pa.array(["DS"] * n, pa.string()),
                                          pa.array(f["dispute"]).cast(pa.string()), "")
    snap = pa.array(np.full(n, ctx.as_of, np.int32)).cast(pa.date32())
    names = pa.array(court.staff_names, pa.string())
    ids = pa.array(court.staff_ids, pa.string())
    return pa.table({
        "case_id": pa.array(f["case_id"].tolist(), pa.string()),
        "court_code": pa.array([court.code] * n, pa.string()),
        "court_name": pa.array([court.name] * n, pa.string()),
        "year": pa.array(np.full(n, year, np.int32)),
        "specialized_code": pa.nulls(n, pa.string()),
        "type_code": pa.array([t] * n, pa.string()),
        "seq": pa.array(f["seq"], pa.int64()),
        "category": pa.array([ty["category"]] * n, pa.string()),
        "stage": pa.array([ty["stage"]] * n, pa.string()),
        "procedure": _vocab(PROCS, f["proc"]),
        "cause": _vocab(ctx.causes, f["cause"]),
        "filing_date": _dates(f["filing"]),
        "closing_date": _dates(f["closing"], closed),
        "closing_method": _vocab(METHODS, f["method"], closed),
        "division": _vocab(court.divisions, f["division"]),
        "judge_id": ids.take(pa.array(f["judge"])),
        "judge_name": names.take(pa.array(f["judge"])),
        "claim_amount": _money(f["claim"]),
        "enforcement_applied_amount": _money(f["applied"]),
        "enforcement_collected_amount": _money(f["collected"], closed),
        "origin_case_id": pa.array(f["origin"].tolist(), pa.string()),
        "appeal_result": _vocab(APPEAL_RESULTS, f["aresult"], closed),
        "appealed": pa.array(appealed),
        "appeal_date": _dates(f["appeal_d"], appealed),
        "transfer_date": _dates(f["transfer_d"], transferred),
        "hearing_held": pa.array(f["hearing"]),
        "ruled_in_court": pa.array(f["ruled"] & closed),
        "tags": _tags(f["tags"]),
        "parties": parties,
        "lawyer": lawyer,
        "dispute_id": dispute,
        **_zhongben_checks(f, t, closed, ctx.as_of),
        "snapshot_date": snap,
    })


def _zhongben_checks(f: Frame, t: str, closed: np.ndarray, as_of: int) -> dict[str, pa.Array]:
    """The 终本 review (store.schema.ZHONGBEN_CHECKS) of each closed 终本, and of the pending 首次执行 cases the
    执行局 has begun to review for 终本 (one in six of those filed three months or more before ``as_of``, by a fixed
    hash: no draw from the stream, so every other figure of the city stays the same). The measures come from the
    tags, 立案满三个月 from the dates (规定(试行) art 1 (四)), whereabouts handled in 97% (a fixed hash)."""
    n = _len(f)
    zb_closed = closed & (f["method"] == M["终结本次执行程序"]) & (t in ("执", "执恢"))
    filed = _dates(f["filing"]).to_pylist()
    zb_pending = ~closed & (f["seq"] % 6 == 0) & (t == "执")
    if zb_pending.any():
        today = _dates(np.array([as_of])).to_pylist()[0]
        zb_pending &= np.array([add_months(a, 3) <= today for a in filed], bool)
    zb = zb_closed | zb_pending
    ends = _dates(np.where(closed, f["closing"], as_of)).to_pylist()
    three = np.array([bool(z) and add_months(a, 3) <= b for z, a, b in zip(zb, filed, ends, strict=True)], bool)
    tags = f["tags"]
    return {"zb_notice": pa.array((tags & T_NOTICE) > 0, mask=~zb),
            "zb_restriction": pa.array((tags & T_RESTRICT) > 0, mask=~zb),
            "zb_investigation": pa.array((tags & T_INVESTIGATE) > 0, mask=~zb),
            "zb_three_months": pa.array(three, mask=~zb),
            "zb_whereabouts": pa.array(f["seq"] % 37 != 0, mask=~zb) if n else pa.array([], pa.bool_())}


def _hearing_events(f: Frame, as_of: int, add) -> None:
    """开庭 dates of the cases heard, for the watch on the gap between two hearings (法释〔2018〕9号 第2条): placed
    by each case's own dates and number rather than drawn from the random stream, so every other figure of the
    city stays as it was. A quarter have a second hearing, 21 days later, or 40 days (over a month) for one in 23."""
    end = np.where(f["closing"] <= as_of, f["closing"], as_of).astype(np.int64)
    filed = f["filing"].astype(np.int64)
    first = filed + (end - filed) * 2 // 5
    add(f["hearing"] & (end > filed), "hearing", first, reason="开庭")
    second = first + np.where(f["seq"] % 23 == 0, 40, 21)
    add(f["hearing"] & (end > filed) & (f["seq"] % 4 == 0) & (second <= end), "hearing", second, reason="再次开庭")


def _events_table(ctx: _Ctx, court: citymod.Court, year: int, f: Frame) -> pa.Table | None:
    a = ctx.as_of
    parts: list[dict] = []

    def add(mask, kind, start, end=None, days=None, months=None, approver=None, reason=None, detail=None):
        mask = mask & (start >= 0) & (start <= a)
        k = int(mask.sum())
        if k == 0:
            return
        sel = np.nonzero(mask)[0]
        e = None if end is None else end[sel]
        ended = None if e is None else (e >= 0) & (e <= a)
        parts.append({
            "case_id": pa.array(f["case_id"][sel].tolist(), pa.string()),
            "kind": pa.array([kind] * k, pa.string()),
            "start_date": _dates(start[sel]),
            "end_date": pa.nulls(k, pa.date32()) if e is None else _dates(e, ended),
            "days": pa.nulls(k, pa.int32()) if days is None else pa.array(days[sel].astype(np.int32), mask=~ended),
            "months": pa.nulls(k, pa.int32()) if months is None else pa.array(months[sel].astype(np.int32)),
            "approver": pa.nulls(k, pa.string()) if approver is None else (
                pa.array([approver] * k, pa.string()) if isinstance(approver, str) else approver.take(pa.array(sel))),
            "reason": pa.nulls(k, pa.string()) if reason is None else (
                pa.array([reason] * k, pa.string()) if isinstance(reason, str) else reason.take(pa.array(sel))),
            "detail": pa.nulls(k, pa.string()) if detail is None else detail.take(pa.array(sel)),
        })

    approvers = sorted({ctx.procs[p]["approver"] or "院长" for p in PROCS})
    approver_of = np.array([approvers.index(ctx.procs[p]["approver"] or "院长") for p in PROCS], np.int32)
    approver = _vocab(approvers, approver_of[f["proc"]])
    add(f["ext_m"] > 0, "extension", f["ext_day"], months=f["ext_m"], approver=approver, reason="延长审限")
    second = f["ext_day"] + f["ext_m"].astype(np.int32) * 30 - 8
    add(f["ext2"], "extension", np.where(f["ext2"], second, -1), months=np.full(_len(f), 3), approver="上级法院",
        reason="延长审限")
    add(f["ded_s"] >= 0, "deduction", f["ded_s"], f["ded_e"], days=f["ded_e"] - f["ded_s"],
        reason=_vocab(DEDUCTION_REASONS, f["ded_r"]))
    add(f["sus_s"] >= 0, "suspension", f["sus_s"], f["sus_e"], days=f["sus_e"] - f["sus_s"], reason="中止")
    add(f["sus_e"] >= 0, "resumption", f["sus_e"], reason="恢复审理")
    small = f["pc_from"] == P["civil_small_claims"]
    pc_idx = np.where(small & (f["proc"] == P["civil_simplified"]), 2, np.where(small, 1, 0))
    pc_idx = np.where(f["pc_from"] == P["criminal_simplified"], 3, np.where(f["pc_from"] == P["criminal_speedy"], 4, pc_idx))
    pc_reason = _vocab(PROCEDURE_CHANGE_REASONS, pc_idx)
    add(f["pc_day"] >= 0, "procedure_change", f["pc_day"], reason=pc_reason, detail=_vocab(PROCS, f["proc"]))
    add(f["rs_day"] >= 0, "restart", f["rs_day"], reason="补充侦查")
    _hearing_events(f, a, add)
    if not parts:
        return None
    t = pa.concat_tables(pa.table(p) for p in parts)
    n = t.num_rows
    t = t.append_column("court_code", pa.array([court.code] * n, pa.string()))
    t = t.append_column("year", pa.array(np.full(n, year, np.int32)))
    t = t.append_column("snapshot_date", pa.array(np.full(n, a, np.int32)).cast(pa.date32()))
    return conform("case_events", t)


# --------------------------------------------------------------------------------------------------- driver
def _court_year(ctx: _Ctx, court: citymod.Court, year: int) -> tuple[list[pa.Table], list[pa.Table], dict]:
    cases, events = [], []
    stats = {"new_cases": 0, "pending": 0}
    for ti, t in enumerate(TYPES):
        if t in APPELLATE and court.level != "intermediate":
            continue
        pool = ctx.buffer.pop((court.idx, t, year), [])
        prim = _primary(ctx, court, t, year)
        raw = pool + ([prim] if prim is not None else [])
        if not raw:
            continue
        f = _concat(raw)
        rng = ctx.rng(court.idx, year, ti, _SEEDS["sim"])
        _simulate(ctx, rng, f, court, t)
        if t == "民初" and court.level == "basic":
            f = _refiles(ctx, ctx.rng(court.idx, year, ti, _SEEDS["refile"]), f, court, year)
        f = _take(f, np.nonzero(f["filing"] <= ctx.as_of)[0])
        n = _len(f)
        if n == 0:
            continue
        tie = ctx.rng(court.idx, year, ti, _SEEDS["order"]).random(n)
        f = _take(f, np.lexsort((tie, f["filing"])))
        f["seq"] = np.arange(1, n + 1, dtype=np.int64)
        prefix = f"({year}){court.code}{t}"
        f["case_id"] = np.array([f"{prefix}{s}号" for s in range(1, n + 1)], dtype=object)
        _spawn(ctx, court, t, year, f)
        _track(ctx, year, f)
        cases.append(_cases_table(ctx, court, year, t, f))
        ev = _events_table(ctx, court, year, f)
        if ev is not None:
            events.append(ev)
        stats["new_cases"] += n
        stats["pending"] += int((f["closing"] > ctx.as_of).sum())
    return cases, events, stats


def _track(ctx: _Ctx, year: int, f: Frame) -> None:
    """Remember warm-up cases (slim, as Arrow) and which warm-up cases later proceedings point at."""
    if year < ctx.start_year:
        ctx.warm.append(pa.table({
            "case_id": pa.array(f["case_id"].tolist(), pa.string()),
            "origin": pa.array(f["origin"].tolist(), pa.string()),
            "pending": pa.array(f["closing"] >= day(date(ctx.start_year, 1, 1))),
        }))
        return  # references between warm-up cases are followed by _keep_warmup
    has = np.nonzero(f["ocourt"] >= 0)[0]
    if len(has) == 0:
        return
    origin = pa.array(f["origin"][has].tolist(), pa.string())
    oyear = pc.cast(pc.utf8_slice_codeunits(origin, 1, 5), pa.int32())
    ctx.refs.append(origin.filter(pc.less(oyear, ctx.start_year)))


def _keep_warmup(ctx: _Ctx) -> pa.Array:
    """Warm-up cases to keep: pending at start_year-01-01, plus every origin reached from kept/later cases."""
    if not ctx.warm:
        return pa.array([], pa.string())
    warm = pa.concat_tables(ctx.warm)
    refs = pa.concat_arrays(ctx.refs) if ctx.refs else pa.array([], pa.string())
    keep = pc.or_(warm.column("pending"), pc.is_in(warm.column("case_id"), value_set=refs))
    while True:  # follow origin links inside the warm-up years (执恢 → 执 → 民初)
        origins = pc.drop_null(warm.column("origin").filter(keep)).combine_chunks()
        more = pc.or_(keep, pc.is_in(warm.column("case_id"), value_set=origins))
        if pc.sum(more.cast(pa.int64())).as_py() == pc.sum(keep.cast(pa.int64())).as_py():
            return warm.column("case_id").filter(keep).combine_chunks()
        keep = more


def _legacy(ctx: _Ctx, court: citymod.Court) -> tuple[dict[int, pa.Table], dict[int, pa.Table]]:
    """A handful of 民初 filed 2021–2022 and still open (超36个月未结), with extensions and an open 鉴定."""
    rng = ctx.rng(court.idx, 0, 0, _SEEDS["legacy"])
    k = max(1, int(round(ctx.s["legacy_pending"] * ctx.scale)))
    lo, hi = day(date(2021, 3, 1)), day(date(2022, 10, 31))
    filing = np.sort(rng.integers(lo, hi, k)).astype(np.int32)
    f = _raw(k)
    f["filing"] = filing
    f["cause"] = np.array([ctx.causes.index(c) for c in ("建设工程施工合同纠纷", "房屋买卖合同纠纷", "民间借贷纠纷")],
                          np.int32)[rng.integers(0, 3, k)]
    f["p1"] = rng.integers(ctx.first_company, ctx.first_bank, k, dtype=np.int32)
    f["p2"] = rng.integers(0, ctx.first_company, k, dtype=np.int32)
    f["claim"] = (rng.integers(50, 800, k) * 10000).astype(np.int64)
    f["tags"][:] = T_ENTERPRISE
    f["proc0"][:] = P["civil_ordinary"]
    f["dispute"] = ((court.idx + 1) * 10000 + 2021) * 10**9 + np.arange(k, dtype=np.int64)
    _simulate(ctx, rng, f, court, "民初")
    f["proc"][:] = P["civil_ordinary"]
    far = day(date(2099, 1, 1))
    f["closing"][:] = far
    f["appeal_d"][:] = -1
    f["transfer_d"][:] = -1
    f["ext_m"][:] = 6
    f["ext_day"] = (filing + 175).astype(np.int32)
    f["ext2"][:] = True
    f["ded_s"] = (filing + 420).astype(np.int32)
    f["ded_e"][:] = far
    f["ded_r"][:] = 1  # 鉴定 not finished
    f["sus_s"][:] = -1
    f["sus_e"][:] = -1
    f["pc_day"][:] = -1
    f["rs_day"][:] = -1
    ys = _years_of(filing)
    cases, events = {}, {}
    for y in np.unique(ys):
        sel = np.nonzero(ys == y)[0]
        g = _take(f, sel)
        n = len(sel)
        seq = np.sort(rng.choice(np.arange(200, max(400, court.volume // 2)), size=n, replace=False))
        g["seq"] = seq.astype(np.int64)
        g["case_id"] = np.array([f"({int(y)}){court.code}民初{s}号" for s in seq], dtype=object)
        cases[int(y)] = _cases_table(ctx, court, int(y), "民初", g)
        events[int(y)] = _events_table(ctx, court, int(y), g)
    return cases, events


def build_city(data_dir, as_of: date, seed: int = 2026, scale: float = 1.0, progress: bool = True) -> DemoSummary:
    """Generate the demo city into ``data_dir`` (one store transaction) and return what was written."""
    from zhixiao.errors import UserError

    t0 = time.perf_counter()
    s = citymod.spec()
    start_year = int(s["start_year"])
    if as_of < date(start_year, 1, 1):
        raise UserError(f"--as-of {as_of} 早于演示城市的起始日期 {start_year}-01-01，请改为 {start_year}-01-01 之后的日期。")
    if not (0 < scale <= 2000):
        raise UserError(f"--scale {scale} 超出范围，请使用 0 到 2000 之间的数（1.0 为默认规模）。")
    city = citymod.build(seed)
    ctx = _Ctx(city, seed, scale, as_of)
    years = list(range(start_year - int(s["warmup_years"]), as_of.year + 1))
    order = [c for c in city.courts if c.level == "basic"] + [city.intermediate]
    summary = DemoSummary(as_of=as_of, seed=seed, scale=scale, outlier_judge=ctx.outlier_id)
    per_court = {c.code: {"court_code": c.code, "court_name": c.name, "new_cases": {}, "pending": 0} for c in order}
    rows = defaultdict(int)
    bar = _progress(progress)
    tasks = {c.code: bar.add_task(f"{c.name}", total=len(years)) for c in order} if bar else {}
    store = CaseStore(data_dir)
    try:
        with store.transaction() as tx:
            _write_legacy(tx, ctx, order, rows, per_court)
            for y in years:
                for c in order:
                    _write_court_year(tx, ctx, c, y, start_year, rows, per_court)
                    if bar:
                        bar.advance(tasks[c.code])
            _trim_warmup(tx, ctx, order, [y for y in years if y < start_year], as_of, rows, per_court)
            people = city.people_table(as_of.year)
            tx.write("people", people)
            rows["people"] = people.num_rows
    finally:
        if bar:
            bar.stop()
    summary.rows = dict(rows)
    summary.courts = [per_court[c.code] for c in city.courts]
    summary.seconds = time.perf_counter() - t0
    return summary


def _write_legacy(tx, ctx: _Ctx, order: list, rows: dict, per_court: dict) -> None:
    """The basic courts' cases filed before the city's first year and still pending in it."""
    for c in order:
        if c.level != "basic":
            continue
        lc, le = _legacy(ctx, c)
        for y, tbl in lc.items():
            if le.get(y) is not None:  # events first: the cases are written with their timeline once
                tx.replace_partition("case_events", (c.code, y), le[y])
                rows["case_events"] += le[y].num_rows
            tx.replace_partition("cases", (c.code, y), tbl)
            rows["cases"] += tbl.num_rows
            per_court[c.code]["pending"] += tbl.num_rows


def _write_court_year(tx, ctx: _Ctx, c: citymod.Court, y: int, start_year: int, rows: dict, per_court: dict) -> None:
    """One court's cases and events filed in year ``y``; warm-up years are written but not counted."""
    cases, events, st = _court_year(ctx, c, y)
    if events:  # events first: the cases are written with their timeline once
        ev = pa.concat_tables(events)
        tx.replace_partition("case_events", (c.code, y), ev)
        if y >= start_year:
            rows["case_events"] += ev.num_rows
    if cases:
        tbl = pa.concat_tables(cases)
        tx.replace_partition("cases", (c.code, y), tbl)
        if y >= start_year:
            rows["cases"] += tbl.num_rows
            per_court[c.code]["new_cases"][y] = st["new_cases"]
            per_court[c.code]["pending"] += st["pending"]


def _trim_warmup(tx, ctx: _Ctx, order: list, warmup_years: list[int], as_of: date, rows: dict,
                 per_court: dict) -> None:
    """The warm-up years keep only the cases later ones refer to (and the pending ones): the rest only
    shaped the first real year's workload."""
    keep = _keep_warmup(ctx)
    for y in warmup_years:
        for c in order:
            for table in ("case_events", "cases"):
                cur = tx.current(table, (c.code, y))
                if cur is None:
                    continue
                kept = cur.filter(pc.is_in(cur.column("case_id"), value_set=keep))
                if kept.num_rows:
                    tx.replace_partition(table, (c.code, y), kept)
                else:
                    tx.drop_partition(table, (c.code, y))
                rows[table] += kept.num_rows
                if table == "cases":
                    still = pc.or_(pc.is_null(kept.column("closing_date")),
                                   pc.greater(kept.column("closing_date"), pa.scalar(as_of)))
                    per_court[c.code]["pending"] += pc.sum(still.cast(pa.int32())).as_py() or 0


def _progress(enabled: bool):
    if not enabled:
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("年"),
                   TimeElapsedColumn())
    bar.start()
    return bar
