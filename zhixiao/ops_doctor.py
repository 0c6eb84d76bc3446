"""Checks of an installation (``zhixiao doctor``): each finding is a Chinese sentence that says what to fix.

The checks take what they look at as arguments (installed font families, the settings, today's date), so a
test can show a broken installation without breaking the machine. ``error`` findings must be fixed (the
command exits 1); ``warning`` findings name a feature that is off until an optional package is installed.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow.fs as pafs
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import SQLAlchemyError

from zhixiao.config import Settings
from zhixiao.domain.calendar import PACKAGE_YEARS, load_calendar
from zhixiao.errors import UserError
from zhixiao.store.cases import MANIFEST, CaseStore
from zhixiao.store.ops import script_heads

OK, WARNING, ERROR = "ok", "warning", "error"
# The store and the ops DB grow by an import's size and keep replaced files for an hour; below this an
# import of a year's export (hundreds of MB as Parquet + staging) may fail half-way.
MIN_FREE_BYTES = 2 * 1024**3
LOW_FREE_BYTES = 10 * 1024**3
# The State Council's notice of next year's holidays normally appears in November (2025's: 2024-11-12).
NOTICE_MONTH = 11
# GB/T 9704-2012 faces the briefing names; fontconfig aliases (deploy/fontconfig) map them to Noto CJK.
OFFICIAL_FACES = ("方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312")


@dataclass(frozen=True)
class Finding:
    check: str  # short Chinese name of the check
    status: str  # ok | warning | error
    message: str  # a Chinese sentence: what was found and, unless ok, the fix


def font_families() -> frozenset[str]:
    """Families with Chinese glyphs, as fontconfig sees them (``fc-list :lang=zh``); empty without fontconfig."""
    if not shutil.which("fc-list"):
        return frozenset()
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False).stdout
    return frozenset(f.strip() for line in out.splitlines() for f in line.split(","))


def font_match(family: str) -> str | None:
    """The family fontconfig substitutes for ``family`` (``fc-match``), None without fontconfig."""
    if not shutil.which("fc-match"):
        return None
    out = subprocess.run(["fc-match", "-f", "%{family}", family], capture_output=True, text=True, check=False)
    return out.stdout.split(",")[0].strip() or None


def check_fonts(chinese: frozenset[str], match: Callable[[str], str | None] = font_match) -> list[Finding]:
    """``chinese``: the installed families with Chinese glyphs; ``match``: fontconfig's substitute for a name."""
    if not chinese:
        return [Finding("中文字体", ERROR, "未找到任何中文字体：报告 PDF 与图表中的汉字会显示为方框。请安装 "
                        "fonts-noto-cjk 与 fontconfig（apt-get install fonts-noto-cjk fontconfig）后重试。")]
    shown = sorted(chinese, key=lambda f: (not f.startswith("Noto"), f))[:3]
    found = [Finding("中文字体", OK, f"已安装中文字体：{'、'.join(shown)} 等 {len(chinese)} 种。")]
    unmapped = [f for f in OFFICIAL_FACES if match(f) not in chinese]
    if unmapped:
        found.append(Finding("公文字体", WARNING, f"公文字体 {'、'.join(unmapped)} 未安装，也没有映射到已装的中文字体，"
                             "PDF 中会换成其他字体。请把安装包中的 fontconfig/65-zhixiao-gongwen.conf 复制到 "
                             "/etc/fonts/conf.d/ 并运行 fc-cache -f（deploy/install.sh 以 root 运行时自动完成）。"))
    else:
        found.append(Finding("公文字体", OK, "公文字体（小标宋、仿宋、黑体、楷体）均已安装或映射到已装中文字体："
                             + "、".join(f"{f}→{match(f)}" for f in OFFICIAL_FACES) + "。"))
    return found


def check_programs(which: Callable[[str], str | None] = shutil.which) -> list[Finding]:
    out = []
    if which("soffice") or which("libreoffice"):
        out.append(Finding("LibreOffice", OK, "已安装 LibreOffice，可生成 PDF 报告。"))
    else:
        out.append(Finding("LibreOffice", WARNING, "未安装 LibreOffice：会商报告只生成 .docx 与 .xlsx，不生成 PDF。"
                           "如需 PDF，请安装 libreoffice-writer-nogui。"))
    if which("java"):
        out.append(Finding("Java", OK, "已安装 Java 运行环境，可使用 --engine spark。"))
    else:
        out.append(Finding("Java", WARNING, "未安装 Java 运行环境：不能使用 Spark 引擎（--engine spark），默认的 DuckDB "
                           "引擎不受影响。如需 Spark，请安装 default-jre-headless。"))
    return out


class Unreachable(Exception):
    """The database did not answer; the message says why in one line."""


def revisions(url: str) -> frozenset[str]:
    """Migration revisions the database is at (empty for a database without tables), creating nothing."""
    if url.startswith("sqlite") and not Path(make_url(url).database or "").is_file():
        return frozenset()  # connecting would create the file
    eng = create_engine(url, connect_args={"connect_timeout": 5} if url.startswith("postgresql") else {})
    try:
        with eng.connect() as conn:
            try:
                return frozenset(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
            except SQLAlchemyError:
                return frozenset()
    except SQLAlchemyError as exc:
        raise Unreachable(str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]) from None
    finally:
        eng.dispose()


def shown_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def check_database(url: str) -> Finding:
    """Reachable and at every migration head, without creating or migrating anything."""
    shown = shown_url(url)
    if url.startswith("sqlite"):
        path = Path(make_url(url).database or "")
        if not path.is_file():
            return Finding("运维数据库", ERROR, f"运维数据库 {path} 还不存在；请运行 zhixiao db upgrade 创建。")
    try:
        have = revisions(url)
    except Unreachable as exc:
        return Finding("运维数据库", ERROR, f"无法连接运维数据库 {shown}（{exc}）；请检查 zhixiao.toml 的 sql_url、"
                       "数据库服务是否启动、用户名和密码是否正确。")
    heads = script_heads()
    if not have:
        return Finding("运维数据库", ERROR, f"运维数据库 {shown} 尚未建表；请运行 zhixiao db upgrade。")
    if have != heads:
        missing = "、".join(sorted(heads - have)) or "（有未知版本）"
        return Finding("运维数据库", ERROR, f"运维数据库 {shown} 不是最新结构（缺少迁移 {missing}）；请运行 zhixiao db upgrade。")
    return Finding("运维数据库", OK, f"运维数据库 {shown} 可连接，已是最新结构（{len(heads)} 个模块分支）。")


def check_calendar(settings: Settings, today: date) -> list[Finding]:
    try:
        cal = load_calendar(settings)
    except (FileNotFoundError, ValueError, KeyError, TypeError) as exc:
        return [Finding("节假日日历", ERROR, f"日历覆盖文件读取失败：{exc}")]
    out = []
    for year in (today.year, today.year + 1):
        if year in cal.known_years:
            source = "chinesecalendar 软件包" if year in PACKAGE_YEARS else f"覆盖文件 {settings.calendar_overrides}"
            out.append(Finding("节假日日历", OK, f"{year} 年的节假日与调休安排已知（来自{source}）。"))
            continue
        fix = (f"{year} 年的节假日安排未知：落在该年的审限届满日只按周末推算并标注“暂定”。国务院办公厅公布安排后，"
               f"请把日期填入一个文件并运行 zhixiao holidays set --file 文件 --year {year} 写入覆盖文件。")
        late = year == today.year or today.month >= NOTICE_MONTH
        out.append(Finding("节假日日历", ERROR if late else WARNING,
                           fix if late else fix + "（通常每年 11 月公布，现在尚早。）"))
    return out


def _existing(p: Path) -> Path:
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def check_disk(data_dir: Path, usage: Callable[[Path], tuple] = shutil.disk_usage) -> Finding:
    free = usage(_existing(data_dir.resolve())).free
    gb = free / 1024**3
    if free < MIN_FREE_BYTES:
        return Finding("磁盘空间", ERROR, f"数据目录所在磁盘只剩 {gb:.1f} GB，导入可能中途失败；请清理或扩容到至少 "
                       f"{MIN_FREE_BYTES / 1024**3:.0f} GB 可用。")
    if free < LOW_FREE_BYTES:
        return Finding("磁盘空间", WARNING, f"数据目录所在磁盘剩余 {gb:.1f} GB，建议保持 {LOW_FREE_BYTES / 1024**3:.0f} GB 以上。")
    return Finding("磁盘空间", OK, f"数据目录所在磁盘剩余 {gb:.1f} GB。")


def _unreadable(paths: Iterable[Path]) -> list[Path]:
    return [p for p in paths if not os.access(p, os.R_OK)]


def check_permissions(data_dir: Path, local_store: bool = True) -> list[Finding]:
    """The data directory, and with ``local_store`` the manifest and the files it lists (a store at a base URI is
    checked by ``check_store``)."""
    if not data_dir.is_dir():
        return [Finding("文件权限", ERROR, f"数据目录 {data_dir} 不存在；请检查 --data-dir 或 zhixiao.toml 的 data_dir，"
                        "新安装可先运行 zhixiao db upgrade 或 zhixiao import 创建。")]
    out = []
    if not os.access(data_dir, os.W_OK | os.X_OK):
        out.append(Finding("文件权限", ERROR, f"当前用户不能写入数据目录 {data_dir}；请以服务账号运行，或执行 "
                           f"chown -R <服务账号> {data_dir}。"))
    store = CaseStore(data_dir, uri="")
    listed = [data_dir / rel for t in store.manifest().tables.values() for rel in t.values()] if local_store else []
    missing = [p for p in listed if not p.exists()]
    if missing:
        out.append(Finding("案件库文件", ERROR, f"清单 manifest.json 列出的 {len(missing)} 个文件不存在（如 {missing[0]}）；"
                           "请从备份恢复（zhixiao restore）。"))
    bad = _unreadable([store.manifest_path] if store.manifest_path.exists() else []) + \
        _unreadable([p for p in listed if p.exists()])
    if bad:
        out.append(Finding("文件权限", ERROR, f"{len(bad)} 个案件库文件不可读（如 {bad[0]}）；请执行 "
                           f"chown -R <服务账号> {data_dir}。"))
    if data_dir.stat().st_mode & stat.S_IWOTH:
        out.append(Finding("文件权限", WARNING, f"数据目录 {data_dir} 对所有用户可写；请执行 chmod o-w {data_dir}。"))
    if not out:
        files = f"案件库 {len(listed)} 个文件齐全可读" if local_store else "案件数据在对象存储或 HDFS 上（见“案件数据位置”一项）"
        out.append(Finding("文件权限", OK, f"数据目录 {data_dir} 可读写，{files}。"))
    return out


def _reason(exc: OSError) -> str:
    return str(exc).strip().splitlines()[0][:300]


def check_store(data_dir: Path, uri: str) -> list[Finding]:
    """A store at a base URI: the server answers, the bucket (or HDFS directory) exists, the manifest reads and
    parses, and every file it lists is there."""
    try:
        store = CaseStore(data_dir, uri=uri)
    except UserError as exc:
        return [Finding("案件数据位置", ERROR, f"{exc}（来自 zhixiao.toml 的 store_uri 或环境变量 ZHIXIAO_STORE_URI）")]
    loc = store.location
    try:
        manifest = loc.fs.get_file_info(loc.path(MANIFEST))
    except OSError as exc:
        return [Finding("案件数据位置", ERROR, f"无法连接案件数据位置 {loc.shown}（{_reason(exc)}）；请检查 store_uri 中的"
                        "地址和端口（endpoint_override）、对象存储或 HDFS 服务是否启动、本机能否访问该地址，以及访问密钥"
                        "（AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY）是否正确。")]
    if manifest.type != pafs.FileType.File:
        root = loc.base.split("/", 1)[0] if loc.scheme == "s3" else loc.base
        if loc.fs.get_file_info(root).type == pafs.FileType.NotFound:
            what = f"存储桶 {root}" if loc.scheme == "s3" else f"目录 {root}"
            return [Finding("案件数据位置", ERROR, f"案件数据位置 {loc.shown} 可连接，但{what} 不存在；请先创建，"
                            "或检查 store_uri 是否写错。")]
        return [Finding("案件数据位置", OK, f"案件数据位置 {loc.shown} 可连接，尚无案件数据（没有 manifest.json），"
                        "zhixiao import 导入后生成。")]
    try:
        m = store.manifest()
    except OSError as exc:
        return [Finding("案件数据位置", ERROR, f"案件数据位置 {loc.shown} 的清单 manifest.json 不可读（{_reason(exc)}）；"
                        "请检查访问密钥对该位置是否有读权限。")]
    except (ValueError, KeyError) as exc:  # not JSON, or JSON without the manifest's fields
        return [Finding("案件数据位置", ERROR, f"案件数据位置 {loc.shown} 的清单 manifest.json 已损坏（{exc!r}）；"
                        "请从备份恢复（zhixiao restore）。")]
    listed = [rel for t in m.tables.values() for rel in t.values()]
    infos = loc.fs.get_file_info([loc.path(rel) for rel in listed]) if listed else []
    missing = [rel for rel, i in zip(listed, infos, strict=True) if i.type != pafs.FileType.File]
    if missing:
        return [Finding("案件数据位置", ERROR, f"案件数据位置 {loc.shown} 的清单列出的 {len(missing)} 个文件不存在"
                        f"（如 {missing[0]}）；请从备份恢复（zhixiao restore）。")]
    return [Finding("案件数据位置", OK, f"案件数据位置 {loc.shown} 可连接，清单 v{m.version} 可读，列出的 "
                    f"{len(listed)} 个文件齐全。")]


def run_checks(settings: Settings, today: date, families: frozenset[str] | None = None) -> list[Finding]:
    """Every check, in the order the command prints them."""
    return [
        *check_fonts(font_families() if families is None else families),
        *check_programs(),
        check_database(settings.ops_url),
        *check_calendar(settings, today),
        check_disk(Path(settings.data_dir)),
        *check_permissions(Path(settings.data_dir), local_store=not settings.store_uri),
        *(check_store(Path(settings.data_dir), settings.store_uri) if settings.store_uri else []),
    ]
