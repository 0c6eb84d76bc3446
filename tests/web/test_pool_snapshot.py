"""The engine pool reads exactly its snapshot version (issue 18 §1): an import that lands between ``pool(v)``
and the pool's first engine must not show through under version v's cache key."""

from __future__ import annotations

import shutil

import pyarrow.compute as pc
import pytest

from tests.web.conftest import COURT
from zhixiao.config import Settings
from zhixiao.store.cases import CaseStore
from zhixiao.web.data import DataHub, StaleSnapshot


def _land_import(d, court: str, year: int) -> int:
    """An import that drops ``court``'s cases filed in ``year`` that are still pending: a new manifest version
    whose pending count differs. Returns how many cases it dropped."""
    store = CaseStore(d)
    with store.transaction() as tx:
        t = tx.current("cases", (court, year))
        keep = pc.is_valid(t["closing_date"])
        dropped = t.num_rows - pc.sum(keep).as_py()
        tx.replace_partition("cases", (court, year), t.filter(keep))
    return dropped


def _pending(e) -> int:
    c = e.cases
    return int(c.filter((c.court_code == COURT) & c.closing_date.isnull()).count().execute())


def _count_files(d, court: str, year: int) -> int:
    t = CaseStore(d).read_partition("cases", (court, year))
    return int(pc.sum(pc.is_null(t["closing_date"])).as_py())


def test_an_engine_of_version_v_reads_snapshot_v_when_an_import_lands_first(web_env, tmp_path):
    d = tmp_path / "data"
    shutil.copytree(web_env.data_dir, d)
    # the pending cases of COURT before the import, counted from the Parquet files themselves
    years = [y for c, y in CaseStore(d).partitions("cases") if c == COURT]
    before = sum(_count_files(d, COURT, y) for y in years)
    year = max(years, key=lambda y: _count_files(d, COURT, y))
    dropped_pending = _count_files(d, COURT, year)
    assert before > dropped_pending > 0

    hub = DataHub(Settings(data_dir=d), readers=2)
    v = hub.version()
    pool = hub.pool(v)  # made, no engine opened yet
    assert pool.made == 0
    _land_import(d, COURT, year)
    assert CaseStore(d).manifest().version == v + 1

    with pool.engine() as e:  # the first engine of version v, opened after the import landed
        assert _pending(e) == before
    # hub.engine(v) lends the same pool's engines: still version v's figure
    with hub.engine(v) as e:
        assert _pending(e) == before
    # a question asked now is keyed by the new version and sees the new snapshot
    assert hub.cached("pending", COURT, _pending) == before - dropped_pending
    with hub.engine() as e:
        assert _pending(e) == before - dropped_pending


def test_a_version_never_read_and_no_longer_current_is_refused(web_env, tmp_path):
    d = tmp_path / "data"
    shutil.copytree(web_env.data_dir, d)
    hub = DataHub(Settings(data_dir=d), readers=2)
    v = CaseStore(d).manifest().version  # read behind the hub's back
    year = next(y for c, y in CaseStore(d).partitions("cases") if c == COURT)
    _land_import(d, COURT, year)
    with pytest.raises(StaleSnapshot):
        hub.pool(v)
    assert hub.pool(v + 1).version == v + 1


def test_files_replaced_by_an_import_stay_for_the_grace_period_however_old(web_env, tmp_path):
    """The grace period counts from the replacement, not from when the file was written: a partition written
    two hours ago and replaced now is still there for the readers of the old version."""
    import os
    import time

    d = tmp_path / "data"
    shutil.copytree(web_env.data_dir, d)
    years = [y for c, y in CaseStore(d).partitions("cases") if c == COURT]
    before = sum(_count_files(d, COURT, y) for y in years)
    year = max(years, key=lambda y: _count_files(d, COURT, y))
    hub = DataHub(Settings(data_dir=d), readers=2)
    pool = hub.pool(hub.version())
    old = d / CaseStore(d).manifest().tables["cases"][f"{COURT}/{year}"]
    long_ago = time.time() - 2 * 3600
    os.utime(old, (long_ago, long_ago))

    _land_import(d, COURT, year)  # the commit collects garbage older than the one-hour grace period
    assert old.is_file()
    with pool.engine() as e:
        assert _pending(e) == before
    assert CaseStore(d).collect_garbage() == 0
    assert CaseStore(d).collect_garbage(older_than_s=-1) >= 1 and not old.exists()


def test_the_shown_snapshot_keeps_its_pool_when_two_imports_land(web_env, tmp_path):
    """Serve mode shows version v until a newer one is precomputed; two imports (v+1, v+2) may land meanwhile.
    The pools of v+1 and v+2 are made; asking for v again must give v's pool, not drop it while making it."""
    d = tmp_path / "data"
    shutil.copytree(web_env.data_dir, d)
    hub = DataHub(Settings(data_dir=d), readers=2)
    v = hub.version()
    with hub.engine(v) as e:
        before = _pending(e)
    years = sorted(y for c, y in CaseStore(d).partitions("cases") if c == COURT)
    for y in years[:2]:
        _land_import(d, COURT, y)
        hub.pool(hub.version())  # a reader of the newest version
    assert hub.version() == v + 2
    hub._pools.pop(v, None)  # v's pool was trimmed as the newer ones were made
    with hub.engine(v) as e:  # the shown snapshot's next question
        assert _pending(e) == before
