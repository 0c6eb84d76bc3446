"""Hashing begun before the libraries load (``prehash``) gives the importer the file's SHA-256, or nothing."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

from zhixiao.ingest import prehash


def test_digest_is_the_files_sha256_and_is_handed_out_once(tmp_path):
    f = tmp_path / "a.csv"
    f.write_bytes(os.urandom(9 << 20))  # more than two of the 4 MB blocks read at a time
    prehash.start([f, tmp_path, tmp_path / "missing.csv"])  # a directory and a missing path are ignored
    assert prehash.digest(f) == hashlib.sha256(f.read_bytes()).hexdigest()
    assert prehash.digest(f) is None  # handed out once
    assert prehash.digest(tmp_path / "missing.csv") is None


def test_a_file_changed_after_hashing_began_gets_no_digest(tmp_path):
    f = tmp_path / "a.csv"
    f.write_bytes(b"x" * 1000)
    prehash.start([f])
    st = f.stat()
    f.write_bytes(b"y" * 1000)  # same size, later modification time
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert prehash.digest(f) is None


def test_file_arguments_are_the_existing_files(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("x")
    assert prehash.file_arguments([str(f), "--data-dir", str(tmp_path), "--force", str(tmp_path / "no.csv")]) == [str(f)]


def test_the_command_records_the_files_sha256(tmp_path):
    """``zhixiao import`` through its entry point (``zhixiao.launch``): the recorded hash is the file's."""
    cases = tmp_path / "cases.csv"
    cases.write_text("案号,立案日期\n(2025)冀0123民初1号,2025-01-02\n", "gbk")
    d = tmp_path / "d"
    script = ("import sys\nfrom zhixiao.launch import main\n"
              "sys.argv = ['zhixiao', 'import', sys.argv[1], '--data-dir', sys.argv[2]]\nmain()\n")
    r = subprocess.run([sys.executable, "-c", script, str(cases), str(d)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    from zhixiao.config import Settings
    from zhixiao.ingest.importer import recent_imports
    from zhixiao.store.imports_models import ImportRecord
    from zhixiao.store.ops import session_factory

    assert recent_imports(Settings(data_dir=d))[0]["accepted"] == 1
    with session_factory(Settings(data_dir=d).ops_url)() as s:
        assert s.query(ImportRecord.sha256).scalar() == hashlib.sha256(cases.read_bytes()).hexdigest()
