"""五、目标进度与数据测算: the year-end forecast, each annual target's progress (at the year end: met or
not) and its decomposition to divisions and judges; in a city briefing, the basic courts' own targets."""

from __future__ import annotations

from zhixiao.analysis.targets import TARGET_INDICATORS
from zhixiao.reports import narrative as nv
from zhixiao.reports import rollup
from zhixiao.reports.figures.collect import BriefingFigures
from zhixiao.reports.model import Briefing, Column, Section, Table
from zhixiao.reports.sections.common import fmt


def build(f: BriefingFigures, b: Briefing) -> Section:
    ctx = f.ctx
    sec = Section("targets", "目标进度与数据测算")
    year_end = ctx.year_end
    if year_end:
        sec.paragraphs.append(f"统计期已至{ctx.end.year}年年末，年末数据以本报告实际数为准，不再测算。")
    else:
        _forecast(f, b, sec)
    progress = f.targets.progress if f.targets else []
    if progress and year_end:
        _targets_met(f, b, sec, progress)
        sec.subsections.append(_decomposition(f, b))
    elif progress:
        _progress(f, sec, progress)
        sec.subsections.append(_decomposition(f, b))
    elif f.city_targets is not None:
        _city_rollup(b, sec, f.city_targets)
    else:
        sec.paragraphs.append(("全市" if ctx.city else "本院") + f"尚未设定{ctx.end.year}年度目标"
                              + ("。" if year_end else "，本节只作年末测算。"))
    return sec


def _progress(f: BriefingFigures, sec: Section, progress: list[dict]) -> None:
    units = target_units()
    sec.paragraphs.append("年度目标进度：" + "；".join(
        f"{p['name']}目标{fmt(p['target'], units.get(p['indicator'], 'count'), '件')}，"
        f"预计年末{fmt(p['forecast'], units.get(p['indicator'], 'count'), '件')}（{p['status']}）"
        for p in progress) + "。")
    cols = [Column("name", "目标指标"), Column("target", "年度目标", "value"),
            Column("forecast", "预计年末", "value"), Column("low", "区间下限", "value"),
            Column("high", "区间上限", "value"), Column("status", "判断"),
            Column("expected_closed_by_now", "按进度应结", "count")]
    # 年内已结 is one figure of the whole court, not of a target: said once in the note, not repeated on
    # every row of a per-target table (issue 17 §1); 按进度应结 is per target (those that set a closings path)
    paths = [p for p in progress if p.get("expected_closed_by_now") is not None]
    if not paths:
        cols = cols[:-1]
    note = (f"{f.ctx.whole}年内已结{paths[0]['closed_ytd']}件；按进度应结：按往年结案进度，至本期末应结的件数。"
            if paths else None)
    sec.tables.append(Table(f"{f.ctx.end.year}年度目标进度", cols, [
        {**p, "unit": units.get(p["indicator"], "count")} for p in progress], note=note))
    rate = next((p["target"] for p in progress if p["indicator"] == "closure_rate"), None)
    if rate is not None:
        sec.subsections.append(_closings_needed(f, rate))


def _targets_met(f: BriefingFigures, b: Briefing, sec: Section, progress: list[dict]) -> None:
    """At the year end a target is met or not: 年度目标, the year's actual figure (the evaluator's, as in
    the other sections — not the forecast) and the gap; no 预计年末 or 按进度应结 once the year is over."""
    units = target_units()
    rows = []
    for p in progress:
        ind, unit = p["indicator"], units.get(p["indicator"], "count")
        actual = (b.figures.get(ind) or {}).get("value", p["forecast"])
        direction = TARGET_INDICATORS.get(ind, ("", "", "higher"))[2]
        met = None if actual is None else (actual >= p["target"] if direction == "higher" else actual <= p["target"])
        rows.append({"name": p["name"], "unit": unit, "target": p["target"], "actual": actual,
                     "gap": gap(actual, p["target"], unit) if met is False else "—",
                     "status": "—" if met is None else ("已完成" if met else "未完成")})
    done = [r for r in rows if r["status"] == "已完成"]
    sec.paragraphs.append(f"年度目标完成情况：共{len(rows)}项，完成{len(done)}项。" + "；".join(
        f"{r['name']}目标{fmt(r['target'], r['unit'], '件')}，年末实际{fmt(r['actual'], r['unit'], '件')}，"
        f"{r['status']}" + ("" if r["status"] == "已完成" or not r["gap"] else f"（差距{r['gap']}）")
        for r in rows) + "。")
    b.figures["targets_met"] = rows
    cols = [Column("name", "目标指标"), Column("target", "年度目标", "value"), Column("actual", "实际", "value"),
            Column("gap", "差距"), Column("status", "完成情况")]
    sec.tables.append(Table(f"{f.ctx.end.year}年度目标完成情况", cols, rows))


def _city_rollup(b: Briefing, sec: Section, roll: rollup.CityTargets) -> None:
    """The basic courts' own targets, counted per indicator (no city target is made up from them)."""
    units = target_units()
    met_word = "已完成" if roll.year_end else "预计可达标"
    behind_word = "未完成" if roll.year_end else "预计未达标"
    n_set = len({c.court_code for r in roll.indicators for c in r.courts})
    sec.paragraphs.append(f"全市未设定统一的{roll.year}年度目标；{roll.basic_courts}家基层法院中"
                          + (f"{n_set}家" if n_set < roll.basic_courts else "各院均")
                          + f"设定了本院年度目标，{'完成情况' if roll.year_end else '进度（按各院年末测算）'}如下。")
    rows = []
    for r in roll.indicators:
        unit = units.get(r.indicator, "count")
        if not r.behind:
            tail = f"均{met_word}"
        elif len(r.behind) == len(r.courts):
            tail = f"均{behind_word}（各院数值见下表）"
        else:
            tail = f"{met_word}{len(r.on_course)}家，{behind_word}{len(r.behind)}家：" + "、".join(
                f"{rollup.short_name(c.court_name)}（{fmt(c.value, unit, '件')}）" for c in r.behind)
        target = {fmt(c.target, unit, "件") for c in r.courts}
        head = f"{r.name}（目标{target.pop()}）" if len(target) == 1 else r.name
        sec.paragraphs.append(f"{head}：{len(r.courts)}家法院设定目标，{tail}。")
        rows.append({"name": r.name, "set": len(r.courts), "on_course": len(r.on_course),
                     "behind": len(r.behind),
                     "courts": "、".join(f"{rollup.short_name(c.court_name)}{fmt(c.value, unit, '件')}"
                                         for c in r.behind) or "—"})
    b.figures["city_targets"] = rows
    cols = [Column("name", "目标指标"), Column("set", "设定目标法院", "count", unit="家"),
            Column("on_course", met_word, "count", unit="家"), Column("behind", behind_word, "count", unit="家"),
            Column("courts", f"{behind_word}的法院")]
    sec.tables.append(Table(f"基层法院{roll.year}年度目标{'完成情况' if roll.year_end else '进度'}（按指标）",
                            cols, rows))


def target_text(f: BriefingFigures, indicator: str, value: float | None) -> str:
    ind = f.ctx.ind.get(indicator)
    unit = ind.unit if ind else target_units().get(indicator, "count")
    return fmt(value, unit, "件" if unit == "count" else "")


def need_text(f: BriefingFigures, u) -> str:
    """What a unit needs for a target: "再结案4件", "再审限内结案2件", "压减15.20天", "清结3件"; at the
    year end, what it fell short by: "差结案4件", "超出15.20天", "多3件"."""
    done = f.targets is not None and f.targets.year_end
    if u.need_unit == "天":
        return f"{'超出' if done else '压减'}{u.needed:.2f}天"
    if u.indicator == "long_pending_12m":
        return f"{'多' if done else '清结'}{int(u.needed)}件"
    return f"{'差' if done else '再'}{u.what}{int(u.needed)}件"


def _decomposition(f: BriefingFigures, b: Briefing) -> Section:
    """目标分解: each target's figure per division (and per judge in the table), from the figures step."""
    tf = f.targets
    sub = Section("target_units", "目标分解到部门和法官")
    targets = {p["indicator"]: p["target"] for p in tf.progress}
    b.figures["target_units"] = {"division": [vars(u) for u in tf.by_division],
                                 "judge": [vars(u) for u in tf.by_judge],
                                 "closings_by_division": {r["division"]: r["needed"] for r in tf.closings_by_division},
                                 # the court's figure, as the 尚需结案 (按法官) paragraph states it
                                 "closings_total": sum(r["needed"] for r in tf.closings)}
    if tf.closings_by_division:
        parts = "、".join(f"{r['name']}{r['needed']}件" for r in tf.closings_by_division if r["needed"])
        sub.paragraphs.append(
            f"结案率目标{nv.fmt_percent(targets['closure_rate'])}按各部门旧存与预计新收的工作量分摊，至12月31日尚需结案："
            + (parts or "各部门均已达到") + "（逐部门取整，与按法官分摊之和略有差异）。")
    for ind in dict.fromkeys(u.indicator for u in tf.by_division):
        sub.paragraphs.append(_division_sentence(f, ind, [u for u in tf.by_division if u.indicator == ind]))
    cols = [Column("name", "目标指标"), Column("unit_name", "部门"), Column("value", "本部门数值", "value"),
            Column("target", "目标", "value"), Column("need", "尚需")]
    rows = [{"name": "结案率（至年末）", "unit_name": r["name"], "unit": "count", "value": r["closed_ytd"],
             "target": None, "need": f"再结案{r['needed']}件" if r["needed"] else "已达到"}
            for r in tf.closings_by_division]
    rows += [{"name": u.name, "unit_name": u.unit_name, "unit": f.ctx.ind[u.indicator].unit, "value": u.value,
              "target": u.target, "need": need_text(f, u) if u.needed else "已达到"} for u in tf.by_division]
    note = "“结案率（至年末）”一行的本部门数值为年内已结案件数。" if tf.closings_by_division else None
    sub.tables.append(Table("年度目标分解（按部门，年内累计）", cols, rows, note=note))
    _judges(f, sub)
    return sub


def _division_sentence(f: BriefingFigures, ind: str, units: list) -> str:
    behind = [u for u in units if u.needed]
    head = f"{units[0].name}目标{target_text(f, ind, units[0].target)}"
    if ind == "long_pending_12m":
        have = sum(int(u.value or 0) for u in units)
        head += f"（各部门现有{have}件）"
    if not behind:
        return f"{head}：各部门均已达到。"
    done = f.targets.year_end
    return (f"{head}：" + "、".join(
        f"{u.unit_name}（{target_text(f, ind, u.value)}）{'' if done else '需'}{need_text(f, u)}" for u in behind)
        + ("。" if len(behind) == len(units) else f"；其余{len(units) - len(behind)}个部门已达到。"))


def _judges(f: BriefingFigures, sub: Section) -> None:
    tf = f.targets
    judges: dict[str, dict] = {}
    for u in tf.by_judge:
        j = judges.setdefault(u.unit, {"judge_name": u.unit_name})
        j[u.indicator] = u.value
        j[f"{u.indicator}_need"] = need_text(f, u) if u.needed else "已达到"
    if not judges:
        return
    ids = list(dict.fromkeys(u.indicator for u in tf.by_judge))
    jcols = [Column("judge_name", "法官")]
    for i in ids:
        jcols += [Column(i, f.ctx.ind[i].name, f.ctx.ind[i].unit), Column(f"{i}_need", "尚需")]
    sub.tables.append(Table("年度目标分解（按法官编号排列，不作排名）", jcols,
                            [judges[k] for k in sorted(judges)], where="xlsx"))
    behind = sorted({u.unit for u in tf.by_judge if u.needed})
    sub.paragraphs.append(f"分解到法官：{len(judges)}名法官中，{len(behind)}名至少有一项目标未达到，"
                          "各法官的数值与尚需数量见Excel工作簿。" if behind else
                          f"分解到法官：{len(judges)}名法官均已达到各项目标。")


def _forecast(f: BriefingFigures, b: Briefing, sec: Section) -> None:
    """Year-end 数据测算 from the stock-flow forecast of the analysis module."""
    fc = f.forecast
    b.figures["forecast"] = {k: getattr(fc, k).point for k in ("new_cases", "closed", "pending", "closure_rate",
                                                               "clearance_ratio")}

    def est(e, unit: str) -> str:
        m = "件" if unit == "count" else ""
        text = f"{nv.fmt_value(e.point, unit)}{m}"
        if e.low is not None and e.high is not None:
            text += f"（区间{nv.fmt_value(e.low, unit)}{m}～{nv.fmt_value(e.high, unit)}{m}）"
        return text

    sec.paragraphs.append(
        f"按{'、'.join(map(str, fc.history_years)) or '往年'}年的收结案季节规律测算，预计{fc.year}年末"
        f"{b.subject}全年新收{est(fc.new_cases, 'count')}，结案{est(fc.closed, 'count')}，"
        f"未结{est(fc.pending, 'count')}，结案率{est(fc.closure_rate, 'rate')}，"
        f"结收比{est(fc.clearance_ratio, 'rate')}。" + (fc.note or ""))
    cols = [Column("name", "指标"), Column("point", "预测值", "value"), Column("low", "区间下限", "value"),
            Column("high", "区间上限", "value")]
    rows = [{"name": name, "unit": unit, "point": e.point, "low": e.low, "high": e.high}
            for name, unit, e in (("新收", "count", fc.new_cases), ("结案", "count", fc.closed),
                                  ("未结", "count", fc.pending), ("结案率", "rate", fc.closure_rate),
                                  ("结收比", "rate", fc.clearance_ratio))]
    sec.tables.append(Table(f"{fc.year}年末数据测算", cols, rows))


def _closings_needed(f: BriefingFigures, rate: float) -> Section:
    """Per judge: closings still needed for the 结案率 target and per remaining working day."""
    sub = Section("closings_needed", "实现结案率目标尚需结案（按法官）")
    rows = f.targets.closings if f.targets else []
    need = sum(r["needed"] for r in rows)
    days = rows[0]["workdays_left"] if rows else 0
    sub.paragraphs.append(f"按结案率目标{nv.fmt_percent(rate)}测算，全院年内尚需结案{need}件，"
                          f"剩余{days}个工作日。")
    cols = [Column("name", "法官"), Column("division", "部门"), Column("closed_ytd", "年内已结", "count"),
            Column("pending_now", "当前未结", "count"), Column("needed", "尚需结案", "count"),
            Column("per_workday", "每工作日需结", "ratio", unit="件")]
    sub.tables.append(Table("实现结案率目标尚需结案（按法官编号排列，不作排名）", cols, rows))
    return sub


def target_units() -> dict[str, str]:
    """Unit per target id; 平均审理天数 is kept as a count by the targets module but reads in 天."""
    return {k: ("days" if k == "avg_days" else v[1]) for k, v in TARGET_INDICATORS.items()}


def gap(actual: float | None, target: float, unit: str) -> str:
    """The distance from a target in the target's own unit: "7.09个百分点", "8件", "1.35天"; "" when none."""
    if actual is None or actual == target:
        return ""
    d = abs(actual - target)
    if unit == "rate":
        return f"{d * 100:.2f}个百分点"
    return f"{d:.2f}天" if unit == "days" else f"{int(round(d))}件"
