"""``--engine spark`` on a machine without Java: one Chinese sentence and exit 1, no traceback, no JVM started."""

from __future__ import annotations

import sys

import pytest

from zhixiao import cli, engine


def _run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, args: list[str]) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["zhixiao", *args])
    with pytest.raises(SystemExit) as exc:
        cli.main()
    return exc.value.code, capsys.readouterr().err.replace("\n", "")  # the console wraps long lines


@pytest.mark.parametrize("master", [None, "spark://127.0.0.1:7077"])
def test_no_java_is_a_chinese_user_error(tmp_path, monkeypatch, capsys, master):
    monkeypatch.setattr(engine, "_spark_session", None)  # a session made by another test would hide the check
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    if master:
        monkeypatch.setenv("ZHIXIAO_SPARK_MASTER", master)
    else:
        monkeypatch.delenv("ZHIXIAO_SPARK_MASTER", raising=False)
    (tmp_path / "d").mkdir()
    code, err = _run(monkeypatch, capsys, ["indicators", "--data-dir", str(tmp_path / "d"),
                                           "--to", "2025-12-31", "--engine", "spark"])
    assert code == 1
    assert "Java" in err and "PATH 中找不到 java" in err and "default-jre-headless" in err
    assert (master in err) if master else "集群" not in err
    assert "Traceback" not in err


def test_java_home_pointing_nowhere(tmp_path, monkeypatch, capsys):
    """JAVA_HOME wins over PATH in pyspark's launcher, so a wrong one is reported even with java on PATH."""
    monkeypatch.setattr(engine, "_spark_session", None)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk"))
    (tmp_path / "d").mkdir()
    code, err = _run(monkeypatch, capsys, ["indicators", "--data-dir", str(tmp_path / "d"),
                                           "--to", "2025-12-31", "--engine", "spark"])
    assert code == 1
    assert f"JAVA_HOME={tmp_path / 'jdk'}" in err and "Traceback" not in err
