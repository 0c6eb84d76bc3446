"""Open the canonical case tables as ibis tables on DuckDB (default) or Apache Spark (scale).

Both engines read exactly the files the store's manifest lists, so they see one snapshot. A store at a base
URI (object storage, HDFS) is read by DuckDB through ``pyarrow.fs`` (DuckDB's own httpfs extension is a download,
which an intranet cannot make) and by Spark through the cluster's Hadoop filesystems.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.dataset as pads

from zhixiao.config import load_settings
from zhixiao.domain.calendar import load_calendar
from zhixiao.errors import UserError
from zhixiao.store.cases import CaseStore
from zhixiao.store.schema import TABLES
from zhixiao.store.timeline import TIMELINE

# what the engines see: the canonical tables, the cases with their stored 审限 timeline
ENGINE_TABLES = {**TABLES, "cases": pa.schema([*TABLES["cases"], *TIMELINE])}

BACKENDS = ("duckdb", "spark")


@dataclass
class Engine:
    backend: str
    con: Any  # ibis backend
    store: CaseStore
    # Derived tables materialised for this engine's snapshot (e.g. the 审限 table), keyed by their arguments.
    cache: dict = field(default_factory=dict)
    # The court's work calendar (override file of the data directory's settings); None = package calendar.
    calendar: Any = None

    # The tables as ibis tables, made once: ``con.table`` asks the backend for the schema each time.
    tables: dict = field(default_factory=dict)

    def table(self, name: str) -> ibis.Table:
        if name not in self.tables:
            self.tables[name] = self.con.table(name)
        return self.tables[name]

    @property
    def cases(self) -> ibis.Table:
        return self.table("cases")

    @property
    def case_events(self) -> ibis.Table:
        return self.table("case_events")

    @property
    def people(self) -> ibis.Table:
        return self.table("people")


_spark_session = None


def spark_session():
    """One local SparkSession per process (starting one takes seconds); UTC, no UI."""
    global _spark_session
    if _spark_session is None:
        # pyspark is the optional extra zhixiao[spark]: imported only when Spark is asked for
        try:
            from pyspark.sql import SparkSession
        except ModuleNotFoundError as exc:
            if exc.name not in ("pyspark", "pyspark.sql"):
                raise
            raise UserError("计算引擎 spark 需要 pyspark，本机未安装：请安装 Spark 扩展（pip install 'zhixiao[spark]'，"
                            "离线包已含），或改用默认引擎 duckdb。") from None

        _require_java()
        os.environ.setdefault("PYSPARK_PYTHON", os.sys.executable)
        _spark_session = (
            SparkSession.builder.master(os.environ.get("ZHIXIAO_SPARK_MASTER", "local[2]"))
            .appName("zhixiao")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.driver.memory", os.environ.get("ZHIXIAO_SPARK_MEMORY", "4g"))
            .config("spark.sql.ansi.enabled", "false")
            .getOrCreate()
        )
        _spark_session.sparkContext.setLogLevel("ERROR")
    return _spark_session


def _require_java() -> None:
    """The Spark driver is a JVM even when ``ZHIXIAO_SPARK_MASTER`` names a remote cluster: without one pyspark
    fails deep in its launcher with an English traceback, so say what to install first."""
    home = os.environ.get("JAVA_HOME")
    # pyspark's launcher (bin/spark-class) runs $JAVA_HOME/bin/java when JAVA_HOME is set, else java on PATH
    java = Path(home) / "bin" / "java" if home else shutil.which("java")
    if java is not None and os.access(java, os.X_OK) and Path(java).is_file():
        return
    where = f"JAVA_HOME={home} 下没有可执行的 bin/java" if home else "PATH 中找不到 java"
    master = os.environ.get("ZHIXIAO_SPARK_MASTER")
    target = f"（集群 {master} 的驱动程序也在本机运行）" if master else ""
    raise UserError(f"计算引擎 spark 需要 Java 运行环境（JRE 17 或 21），本机未找到：{where}{target}。请安装系统软件包 "
                    "default-jre-headless（或把 JAVA_HOME 指向已安装的 JRE），或改用默认引擎 duckdb。")


def court_calendar(data_dir: Path | str):
    """The calendar the settings for ``data_dir`` name (overrides, roll-forward rule), or None if default."""
    st = load_settings(data_dir=data_dir)
    if not st.calendar_overrides and not (st.rules or {}).get("calendar"):
        return None
    try:
        return load_calendar(st)
    except (FileNotFoundError, ValueError) as exc:
        raise UserError(f"日历覆盖文件 {st.calendar_overrides} 有误：{exc}") from None


def connect(data_dir: Path | str, backend: str = "duckdb", calendar=None, store: CaseStore | None = None) -> Engine:
    """``calendar`` defaults to the court's (see ``court_calendar``) so every 审限 figure uses its overrides;
    ``store`` (default: the data directory's) may be pinned to one manifest, as the web app's pools do."""
    store = store if store is not None else CaseStore(data_dir)
    store.ensure_format()
    calendar = calendar if calendar is not None else court_calendar(data_dir)
    if backend == "duckdb":
        con = ibis.duckdb.connect()
        for name, schema in ENGINE_TABLES.items():
            if not store.relative(name):
                con.create_table(name, schema=ibis.Schema.from_pyarrow(schema), temp=True)
            elif store.location.local:
                con.read_parquet([str(f) for f in store.files(name)], table_name=name)
            else:  # an Arrow dataset DuckDB scans in place, columns and filters pushed down to the Parquet reader
                con.con.register(name, pads.dataset(store.paths(name), schema=schema, format="parquet",
                                                    filesystem=store.location.fs))
        return Engine("duckdb", con, store, calendar=calendar)
    if backend == "spark":
        session = spark_session()
        con = ibis.pyspark.connect(session)
        if not store.location.local:
            _spark_remote(session, store)
        for name, schema in ENGINE_TABLES.items():
            files = [store.location.uri_of(rel) for rel in store.relative(name)]
            if files:
                df = session.read.parquet(*files)
            else:
                df = session.createDataFrame(schema.empty_table().to_pandas(), schema=_spark_schema(schema))
            df.createOrReplaceTempView(name)
        return Engine("spark", con, store, calendar=calendar)
    raise ValueError(f"未知的计算引擎 {backend!r}，可选：{', '.join(BACKENDS)}")


def _spark_remote(session, store: CaseStore) -> None:
    """Point Spark's Hadoop filesystems at the store's base URI, or say what the cluster lacks."""
    loc = store.location
    jvm = session.sparkContext._jvm
    if loc.scheme == "s3":
        klass = "org.apache.hadoop.fs.s3a.S3AFileSystem"
        if not jvm.org.apache.spark.util.Utils.classIsLoadable(klass):
            raise UserError(f"案件数据存放在 {loc.uri}：Spark 读取 S3 需要 hadoop-aws 及其 AWS SDK 的 jar（pyspark 未自带），"
                            "请把与 Spark 的 Hadoop 版本一致的 hadoop-aws 放入集群和本机 Spark 的 jars 目录，"
                            "或改用计算引擎 duckdb（经 pyarrow 读取对象存储）。")
        conf = session.sparkContext._jsc.hadoopConfiguration()
        if loc.endpoint:  # a court's own S3-compatible server: addressed by path, not by bucket host name
            conf.set("fs.s3a.endpoint", loc.endpoint)
            conf.set("fs.s3a.path.style.access", "true")
            conf.set("fs.s3a.connection.ssl.enabled", str(loc.endpoint.startswith("https")).lower())


def _spark_schema(schema):
    from pyspark.sql.pandas.types import from_arrow_schema  # the optional extra, as in spark_session

    return from_arrow_schema(schema)
