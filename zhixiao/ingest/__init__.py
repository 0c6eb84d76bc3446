"""Import court exports into the case store.

Public API (used by ``zhixiao import`` and the web upload page):

- ``importer.validate(paths, table="cases", encoding="auto", mapping=None, snapshot_date=None) -> ValidationReport``
  reads and checks files without writing anything;
- ``importer.import_files(paths, settings, user=None, table="cases", ...) -> ImportResult`` validates and writes all
  accepted rows in ONE store transaction, writes the rejects report and records each file in the ops DB;
- ``importer.recent_imports(settings, limit=10)`` for status pages.

Pipeline: ``readers`` (CSV in UTF-8/BOM/GBK/GB18030 split into cells by Arrow and decoded per column by
``encodings``, the transcoding stream as fallback; .xlsx; a big CSV in two processes, ``split``) → ``aliases``
(headers → canonical columns, ``data/header_aliases.toml`` + user mapping) → ``validate`` (typed rows or
rejects with Chinese reasons; ``casenum`` parses the 案号 column with the domain parser) → ``merge`` (latest
snapshot per key wins) → ``rejects`` (CSV UTF-8-BOM + .xlsx). Invariant per file: accepted + rejected == rows read.
"""
