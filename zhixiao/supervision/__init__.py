"""审限 supervision: the 提醒→督办→约谈→问责 ladder over the deadlines of the whole store.

The deadlines themselves are ``zhixiao.deadlines`` (below metrics, supervision and services, which all read
them): ``deadline_table(engine, as_of, calendar=None, *, roll_forward=True, near_share=2/3)`` — one vectorised
ibis computation (DuckDB or Spark); ``table_options(settings, ladder)`` gives the court's options.

- ``rules.load_ladder(settings)`` — ``data/rules/supervision.toml`` plus the court's edits.
- ``ledger.run_daily(settings, as_of)``, ``list_alerts``, ``acknowledge``, ``resolve``, ``history``.
- ``pending.long_pending(table)``, ``pending.four_pending(table)`` — 长期未结 and 四项未结.
- ``notices.write_notices(alerts, out_dir, as_of)`` — per judge and per division, .txt and .xlsx.
"""
