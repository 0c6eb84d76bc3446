"""``ops.migrate``: a database already at every head is not handed to Alembic again."""

from __future__ import annotations

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from zhixiao.store import ops


def test_script_heads_match_alembic() -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(ops.MIGRATIONS))
    heads = ScriptDirectory.from_config(cfg).get_heads()
    assert ops.script_heads() == frozenset(heads)
    assert len(heads) == 6  # one branch per module: imports, quality, services, supervision, targets, web (NOTES)


def test_new_database_is_migrated_then_recognised(sql_url, monkeypatch) -> None:
    eng = ops.get_engine(sql_url)
    assert not ops._at_heads(eng)  # no version table yet
    ops.migrate(sql_url)
    assert "import_record" in inspect(eng).get_table_names()
    assert ops._at_heads(eng)
    # A second process (here: the cache forgotten) finds it current without running Alembic.
    ops._migrated.discard(sql_url)
    import alembic.command

    def boom(*_a, **_k):
        raise AssertionError("Alembic ran on a database already at its heads")

    monkeypatch.setattr(alembic.command, "upgrade", boom)
    ops.migrate(sql_url)
    assert sql_url in ops._migrated


def test_a_database_behind_a_head_is_upgraded(sql_url) -> None:
    ops.migrate(sql_url)
    eng = ops.get_engine(sql_url)
    with eng.begin() as c:  # as if the web module's branch had not been released yet
        for t in ("web_login_throttle", "web_audit", "web_login_attempt", "web_session", "web_user"):
            c.execute(text(f"DROP TABLE {t}"))
        c.execute(text("DELETE FROM alembic_version WHERE version_num LIKE 'web\\_%' ESCAPE '\\'"))
    assert not ops._at_heads(eng)
    ops._migrated.discard(sql_url)
    ops.migrate(sql_url)
    assert {"web_user", "web_audit"} <= set(inspect(eng).get_table_names())
    assert ops._at_heads(eng)
