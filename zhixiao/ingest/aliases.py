"""Map a file's headers to canonical columns using ``data/header_aliases.toml`` and a user mapping file.

A user mapping (TOML ``[columns] 我的列名 = "canonical"``) is applied first; then the alias table.
When two headers map to one column, the user's mapping or the earlier alias wins and the other is
reported as ignored, so nothing is merged silently.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from zhixiao.errors import UserError
from zhixiao.store.schema import TABLES

IGNORE = "ignore"  # a mapping value that drops a column on purpose
REQUIRED = {"cases": ("case_id",), "case_events": ("case_id", "kind"), "people": ("judge_id", "name", "court_code")}
REQUIRED_LABEL = {"case_id": "案号", "kind": "事项类型", "judge_id": "工号", "name": "姓名", "court_code": "法院代字"}
# Columns filled by the importer, never taken from a file (the 案号 is the source of truth).
DERIVED = {"cases": {"court_code", "year", "specialized_code", "type_code", "seq", "category", "stage"},
           "case_events": {"court_code", "year"}, "people": set()}

_TRANS = str.maketrans({"（": "(", "）": ")", "：": "", ":": "", "*": "", " ": "", "\u3000": "", "\t": ""})


def norm_header(h: str) -> str:
    return h.strip().lstrip("\ufeff").translate(_TRANS).lower()


@cache
def vocab() -> dict:
    return tomllib.loads(resources.files("zhixiao.data").joinpath("header_aliases.toml").read_text("utf-8"))


@cache
def _alias_index(table: str) -> dict[str, tuple[str, int]]:
    """normalised alias → (canonical column, rank)."""
    out: dict[str, tuple[str, int]] = {}
    for col, aliases in vocab()[table].items():
        if col not in TABLES[table].names:
            raise ValueError(f"header_aliases.toml: [{table}] {col} is not a canonical column")
        for rank, a in enumerate([col, *aliases]):
            out.setdefault(norm_header(a), (col, rank))
    return out


def load_mapping(path: Path | str | None, table: str) -> dict[str, str]:
    """Read a user mapping file; unknown canonical names are a UserError naming the valid ones."""
    if path is None:
        return {}
    path = Path(path)
    if not path.is_file():
        raise UserError(f"找不到列名映射文件 {path}：请检查 --mapping 的路径。")
    try:
        text = path.read_text("utf-8-sig")
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            raw = tomllib.loads(_quote_bare_keys(text))  # 我的列名 = "x" (unquoted Chinese key) as people write it
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"列名映射文件 {path.name} 不是有效的 UTF-8 TOML（{exc}）：格式为 [columns] 下写 我的列名 = \"规范列名\"。") from None
    cols = raw.get("columns")
    if not isinstance(cols, dict) or not cols:
        raise UserError(f"列名映射文件 {path.name} 缺少 [columns] 段：格式为 [columns] 下写 我的列名 = \"规范列名\"。")
    valid = [c for c in TABLES[table].names if c not in DERIVED[table]]
    bad = {k: v for k, v in cols.items() if not isinstance(v, str) or (v != IGNORE and v not in valid)}
    if bad:
        items = "、".join(f"{k} = {v!r}" for k, v in bad.items())
        raise UserError(f"列名映射文件 {path.name} 中有未知的规范列名：{items}。{table} 表可用的列名：{', '.join(valid)}（或 \"{IGNORE}\" 表示忽略该列）。")
    return {norm_header(k): v for k, v in cols.items()}


_BARE_KEY = re.compile(r"""^(\s*)([^"'#\[\s=][^=]*?)(\s*=)""", re.MULTILINE)


def _quote_bare_keys(text: str) -> str:
    return _BARE_KEY.sub(lambda m: f'{m.group(1)}"{m.group(2)}"{m.group(3)}', text)


def finds_required(headers: list[str], table: str, mapping: dict[str, str] | None = None) -> bool:
    """Could ``headers`` be this table's header row (every required column named)? Picks the header of a
    sheet below its title rows."""
    index, mapping = _alias_index(table), mapping or {}
    found = {mapping.get(k) or index.get(k, ("",))[0] for k in map(norm_header, headers)}
    return all(c in found for c in REQUIRED[table])


@dataclass
class HeaderMap:
    table: str
    columns: dict[str, int] = field(default_factory=dict)  # canonical → column index in the file
    source: dict[str, str] = field(default_factory=dict)  # canonical → header as written
    ignored: list[str] = field(default_factory=list)  # known but unused / superseded headers
    unknown: list[str] = field(default_factory=list)  # headers nobody recognises (kept out, reported)


def resolve_headers(headers: list[str], table: str, mapping: dict[str, str] | None = None,
                    file_name: str = "") -> HeaderMap:
    mapping = mapping or {}
    index = _alias_index(table)
    ignored_known = {norm_header(h) for h in vocab().get("ignored", {}).get(table, [])}
    best: dict[str, tuple[int, int]] = {}  # canonical → (rank, column index); user mapping rank = -1
    hm = HeaderMap(table)
    for i, h in enumerate(headers):
        key = norm_header(h)
        if not key:
            continue
        if key in mapping:
            col, rank = mapping[key], -1
            if col == IGNORE:
                hm.ignored.append(h)
                continue
        elif key in index and index[key][0] not in DERIVED[table]:
            col, rank = index[key]
        elif key in ignored_known or key in index:
            hm.ignored.append(h)
            continue
        else:
            hm.unknown.append(h)
            continue
        if col in best and best[col][0] <= rank:
            hm.ignored.append(h)
            continue
        if col in best:
            hm.ignored.append(headers[best[col][1]])
        best[col] = (rank, i)
    hm.columns = {c: i for c, (_, i) in best.items()}
    hm.source = {c: headers[i] for c, i in hm.columns.items()}
    missing = [c for c in REQUIRED[table] if c not in hm.columns]
    if missing:
        need = "、".join(REQUIRED_LABEL.get(c, c) for c in missing)
        seen = "、".join(h for h in headers if h) or "（无）"
        raise UserError(
            f"文件 {file_name} 中找不到“{need}”列。读到的列有：{seen}。"
            f"请把表头改成标准名称，或用 --mapping 映射文件指定，例如 [columns] 你的列名 = \"{missing[0]}\"。"
        )
    return hm

