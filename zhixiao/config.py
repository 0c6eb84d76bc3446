"""One settings object, read from ``zhixiao.toml`` when present; defaults work with no file at all."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from zhixiao.errors import UserError

DEFAULT_DATA_DIR = Path("zhixiao-data")


@dataclass(frozen=True)
class Settings:
    data_dir: Path = DEFAULT_DATA_DIR
    sql_url: str | None = None  # None → SQLite file inside data_dir
    court_code: str | None = None  # the court this installation belongs to (e.g. 冀0123)
    calendar_overrides: Path | None = None  # court-maintained holiday overrides (TOML)
    profile: str = "court-classic"
    rules: dict = field(default_factory=dict)
    # reverse proxies whose X-Forwarded-For the dashboard believes (addresses or CIDR); none by default
    trusted_proxies: tuple[str, ...] = ()
    # the case store at a base URI (s3://bucket/prefix?endpoint_override=…, hdfs://…); None → inside data_dir
    store_uri: str | None = None

    @property
    def ops_url(self) -> str:
        if self.sql_url:
            return self.sql_url
        return f"sqlite:///{(self.data_dir / 'ops.sqlite').resolve()}"


def load_settings(data_dir: Path | str | None = None, config: Path | str | None = None) -> Settings:
    """Flags beat the file; the file beats defaults. ZHIXIAO_SQL_URL / ZHIXIAO_STORE_URI override theirs."""
    path = Path(config) if config else Path(os.environ.get("ZHIXIAO_CONFIG", "zhixiao.toml"))
    raw: dict = {}
    if path.is_file():
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    dd = Path(data_dir) if data_dir else Path(raw.get("data_dir", DEFAULT_DATA_DIR))
    if dd.exists() and not dd.is_dir():
        raise UserError(f"数据目录 {dd} 是一个文件，不是目录：请用 --data-dir（或 zhixiao.toml 的 data_dir）指定一个目录。")
    overrides = raw.get("calendar_overrides")
    if overrides is None and (dd / "calendar_overrides.toml").is_file():
        overrides = dd / "calendar_overrides.toml"
    return Settings(
        data_dir=dd,
        sql_url=os.environ.get("ZHIXIAO_SQL_URL") or raw.get("sql_url"),
        court_code=raw.get("court_code"),
        calendar_overrides=Path(overrides) if overrides else None,
        profile=raw.get("profile", "court-classic"),
        rules=raw.get("rules", {}),
        trusted_proxies=tuple(raw.get("trusted_proxies", ())),
        store_uri=os.environ.get("ZHIXIAO_STORE_URI") or raw.get("store_uri"),
    )
