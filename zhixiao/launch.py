"""The ``zhixiao`` command's entry point: light, so that ``zhixiao import`` can start hashing its files
(``zhixiao.ingest.prehash``) before the CLI and its libraries load (~0.2 s on one core)."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:2] == ["import"]:
        from zhixiao.ingest import prehash

        prehash.start(prehash.file_arguments(sys.argv[2:]))
    from zhixiao.cli import main as cli_main

    cli_main()
