"""``zhixiao satisfaction``: 一事一评 ratings — import, enter, correct (audited), 差评督办, figures.

A rating number (评价编号) is entered once; the score and the day are the party's and are never
changed. The services are imported inside each command, so that other commands do not load SQLAlchemy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zhixiao.commands.common import (
    CourtOpt,
    DataDir,
    Format,
    FormatOpt,
    FromOpt,
    NoteOpt,
    ToOpt,
    UserOpt,
    acting_user,
    console,
    court_code,
    date_or_today,
    emit,
    emit_changes,
    emit_figures,
    emit_history,
    ops_session,
    pct,
    period,
    print_rejected,
    settings,
    update_hint,
)

sat_app = typer.Typer(help="诉讼服务满意度评价（一事一评）与差评督办 / satisfaction ratings", no_args_is_help=True)

RatingArg = Annotated[str, typer.Argument(help="评价编号 / rating number")]
STAT_HEADERS = {"ratings": "评价数", "satisfied": "满意数", "satisfaction_rate": "满意率", "negative": "差评数",
                "followups_resolved": "差评督办已办结", "followups_resolved_on_time": "按期办结"}


@sat_app.command("import", help="导入评价（CSV/XLSX：评价编号、评价事项、窗口、工作人员、评价日期、评分；已登记的评价编号不重复导入）/ import ratings")
def import_cmd(file: Annotated[Path, typer.Argument(help="评价文件 / file")], data_dir: DataDir = None,
               court: CourtOpt = None) -> None:
    from zhixiao.services.satisfaction import import_ratings

    st = settings(data_dir)
    with ops_session(st) as s, s.begin():
        r = import_ratings(s, file, court_code(st, court), st)
    console.print(f"已导入 {r.imported} 条评价；差评已自动生成差评督办。", markup=False)
    print_rejected(r.rejected, "评价编号已登记或在文件中重复")


@sat_app.command("rate", help="登记一条评价 / record one rating")
def rate(item: Annotated[str, typer.Option("--item", help="评价事项，如 立案 / service item")],
         score: Annotated[int, typer.Option("--score", help="评分 1–5（5 非常满意）/ score")],
         number: Annotated[str | None, typer.Option("--no", help="评价编号（评价器或系统的流水号）/ rating number")] = None,
         window: Annotated[str | None, typer.Option("--window", help="窗口 / service window")] = None,
         staff: Annotated[str | None, typer.Option("--staff", help="工作人员 / staff name")] = None,
         staff_id: Annotated[str | None, typer.Option("--staff-id", help="工作人员编号 / staff id")] = None,
         on: Annotated[str | None, typer.Option("--on", help="评价日期（默认今天）/ rating date")] = None,
         comment: Annotated[str | None, typer.Option("--comment", help="评价内容 / comment")] = None,
         data_dir: DataDir = None, court: CourtOpt = None) -> None:
    from zhixiao.services.satisfaction import add_rating

    st = settings(data_dir)
    with ops_session(st) as s, s.begin(), update_hint("zhixiao satisfaction update {ref}"):
        r = add_rating(s, court_code=court_code(st, court), item=item, rated_on=date_or_today(on, "评价日期"),
                       score=score, settings=st, rating_no=number, window=window, staff_name=staff, staff_id=staff_id,
                       comment=comment)
        msg = f"，已生成差评督办 {r.follow_up.id}（{r.follow_up.due_date} 前办结）" if r.follow_up else ""
    console.print(f"已登记评价{msg}。", markup=False)


@sat_app.command("update", help="更正评价的登记信息（事项、窗口、工作人员、内容；评分与日期不可改），留存修改记录 / correct a rating (audited)")
def update(number: RatingArg,
           item: Annotated[str | None, typer.Option("--item", help="评价事项 / service item")] = None,
           window: Annotated[str | None, typer.Option("--window", help="窗口 / service window")] = None,
           staff: Annotated[str | None, typer.Option("--staff", help="工作人员 / staff name")] = None,
           staff_id: Annotated[str | None, typer.Option("--staff-id", help="工作人员编号 / staff id")] = None,
           comment: Annotated[str | None, typer.Option("--comment", help="评价内容 / comment")] = None,
           user: UserOpt = None, note: NoteOpt = None, data_dir: DataDir = None, court: CourtOpt = None) -> None:
    from zhixiao.services.satisfaction import LABELS, update_rating

    st = settings(data_dir)
    with ops_session(st) as s, s.begin():
        _r, changed = update_rating(s, court_code(st, court), number, user=acting_user(user), note=note, item=item,
                                    window=window, staff_name=staff, staff_id=staff_id, comment=comment)
    console.print(f"评价 {number} 已修改 {len(changed)} 项（已留存修改记录）：", markup=False)
    emit_changes(changed, LABELS)


@sat_app.command("history", help="评价的修改记录 / a rating's change history")
def history(number: RatingArg, data_dir: DataDir = None, court: CourtOpt = None, fmt: FormatOpt = Format.table) -> None:
    from zhixiao.services.satisfaction import LABELS

    st = settings(data_dir)
    emit_history(st, "rating", f"{court_code(st, court)}/{number}", LABELS, fmt, f"评价 {number} 修改记录")


@sat_app.command("followups", help="列出未办结的差评督办 / open negative-rating follow-ups")
def followups(data_dir: DataDir = None, court: CourtOpt = None, fmt: FormatOpt = Format.table) -> None:
    from zhixiao.services.satisfaction import open_followups

    st = settings(data_dir)
    with ops_session(st) as s:
        rows = [{"id": f.id, "item": f.rating.item, "score": f.rating.score, "staff": f.rating.staff_name,
                 "rated_on": f.rating.rated_on, "comment": f.rating.comment, "due_date": f.due_date}
                for f in open_followups(s, court or st.court_code)]
    emit(rows, fmt, headers={"id": "编号", "item": "事项", "score": "评分", "staff": "工作人员", "rated_on": "评价日期",
                             "comment": "评价内容", "due_date": "办结期限"}, title="差评督办")


@sat_app.command("resolve", help="办结差评督办并记录整改结果 / resolve a follow-up")
def resolve(followup_id: Annotated[int, typer.Argument(help="督办编号 / follow-up id")],
            resolution: Annotated[str, typer.Option("--resolution", help="整改/回访结果 / resolution")],
            by: Annotated[str, typer.Option("--by", help="办理人 / handled by")],
            on: Annotated[str | None, typer.Option("--on", help="办结日期（默认今天）/ resolution date")] = None,
            data_dir: DataDir = None) -> None:
    from zhixiao.services.satisfaction import resolve_followup

    st = settings(data_dir)
    with ops_session(st) as s, s.begin():
        resolve_followup(s, followup_id, resolution, by, date_or_today(on, "办结日期"))
    console.print(f"差评督办 {followup_id} 已办结。", markup=False)


@sat_app.command("stats", help="满意率：按事项、人员、窗口、月份 / satisfaction figures")
def stats(data_dir: DataDir = None, court: CourtOpt = None, from_: FromOpt = None, to: ToOpt = None,
          fmt: FormatOpt = Format.table) -> None:
    from zhixiao.services.satisfaction import satisfaction_stats

    st = settings(data_dir)
    start, end = period(from_, to)
    with ops_session(st) as s:
        d = satisfaction_stats(s, court_code(st, court), start, end, st)
    emit_figures(d, fmt, STAT_HEADERS, f"满意度统计 {start}—{end}")
    if fmt == Format.table:
        for key, title in (("by_item", "按事项"), ("trend", "按月")):
            emit([{"k": k, **v, "satisfaction_rate": pct(v["satisfaction_rate"])} for k, v in d[key].items()],
                 fmt, ["k", "ratings", "satisfied", "satisfaction_rate"],
                 {"k": title[1:], "ratings": "评价数", "satisfied": "满意", "satisfaction_rate": "满意率"}, title=title)


def register(app: typer.Typer) -> None:
    app.add_typer(sat_app, name="satisfaction")
