"""Every case list and figure asks for the catalogue: ``load_profile`` reads the TOML files once per (profile,
date, files' stamps), and a court's edited, added or removed indicator file is seen at the next question."""

from __future__ import annotations

import os
from datetime import date

from zhixiao.metrics import catalogue
from zhixiao.metrics.catalogue import get, load_profile

ON = date(2025, 12, 31)
OURS = '''
[profile]
id = "court-classic"

[[override]]
id = "closure_rate"
range = [{low}, 1.0]
range_source = "本院会商"
'''


def _count_reads(monkeypatch) -> list:
    reads: list = []
    real = catalogue._read

    def counted(path):
        reads.append(path.name)
        return real(path)
    monkeypatch.setattr(catalogue, "_read", counted)
    return reads


def test_files_read_once_and_an_edit_is_seen(tmp_path, monkeypatch):
    reads = _count_reads(monkeypatch)
    court = tmp_path / "indicators"
    court.mkdir()
    ours = court / "ours.toml"
    ours.write_text(OURS.format(low=0.5), encoding="utf-8")
    first = load_profile("court-classic", ON, data_dir=tmp_path)
    n = len(reads)
    assert n >= 2 and "ours.toml" in reads  # the built-in files and the court's
    again = load_profile("court-classic", ON, data_dir=tmp_path)
    assert len(reads) == n and [i.id for i in again] == [i.id for i in first]
    assert get("closure_rate", "court-classic", ON, data_dir=tmp_path).range == (0.5, 1.0)
    assert len(reads) == n
    again.clear()  # a caller's list is its own: the remembered one is untouched
    assert len(load_profile("court-classic", ON, data_dir=tmp_path)) == len(first)

    # the same size, a later modification time: an edit in place
    stat = ours.stat()
    ours.write_text(OURS.format(low=0.6), encoding="utf-8")
    os.utime(ours, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert get("closure_rate", "court-classic", ON, data_dir=tmp_path).range == (0.6, 1.0)
    assert len(reads) > n

    ours.unlink()  # removed: the default range again
    assert get("closure_rate", "court-classic", ON, data_dir=tmp_path).range == (0.93, 1.0)
    (court / "later.toml").write_text(OURS.format(low=0.7), encoding="utf-8")  # added
    assert get("closure_rate", "court-classic", ON, data_dir=tmp_path).range == (0.7, 1.0)


def test_remembered_per_date_and_directory(tmp_path):
    (tmp_path / "indicators").mkdir()
    (tmp_path / "indicators" / "ours.toml").write_text(OURS.format(low=0.5), encoding="utf-8")
    assert get("closure_rate", "court-classic", ON, data_dir=tmp_path).range == (0.5, 1.0)
    assert get("closure_rate", "court-classic", ON).range == (0.93, 1.0)  # no court directory
    # the SPC's 2024-09 revision switches on its effective date: another date is another answer, also remembered
    for _ in range(2):
        before = {i.id for i in load_profile("spc-2024", date(2024, 6, 30))}
        after = {i.id for i in load_profile("spc-2024", date(2024, 12, 31))}
        assert "first_reversed_rate" in before and "first_reversed_rate" not in after
        assert "second_reversal_remand_ratio" in after and "second_reversal_remand_ratio" not in before
