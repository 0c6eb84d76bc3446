"""Import court exports into the case store.

Public API (``zhixiao import`` and the web upload page): ``importer.validate`` (no writes),
``importer.import_files`` (one store transaction, rejects list and import records with it) and
``importer.recent_imports``. One path: ``readers`` (pyarrow.csv or calamine) → ``aliases`` (headers →
canonical columns) → ``validate`` (whole batches, Chinese reasons; ``casenum`` for the 案号) → ``merge``
(latest snapshot per key, field by field) → ``rejects``. Per file: accepted + rejected == rows read.
"""
