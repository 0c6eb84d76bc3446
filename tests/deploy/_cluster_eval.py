"""Child process of the cluster parity test: every profile's indicators on the Spark engine, as JSON.

Run as ``python -m tests.deploy._cluster_eval DATA_DIR START END`` with ``ZHIXIAO_SPARK_MASTER`` set; a child
because the Spark session (and its master) is fixed for the life of a process.
"""

from __future__ import annotations

import json
import sys
from datetime import date

from zhixiao.engine import connect, spark_session
from zhixiao.metrics.catalogue import profiles
from zhixiao.metrics.evaluate import evaluate

BY = ("court", "division")


def results(engine, data_dir: str, start: date, end: date) -> dict:
    return {p: evaluate(engine, p, start, end, by=BY, compare="yoy", data_dir=data_dir).to_dict()
            for p in profiles(data_dir)}


if __name__ == "__main__":
    data, start, end = sys.argv[1], date.fromisoformat(sys.argv[2]), date.fromisoformat(sys.argv[3])
    eng = connect(data, "spark")
    master = spark_session().sparkContext.master
    out = results(eng, data, start, end)
    print(json.dumps({"master": master, "results": out}, ensure_ascii=False, default=str))
