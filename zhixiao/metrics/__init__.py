"""Indicators: a catalogue as data (``zhixiao/data/indicators/*.toml``) and one evaluator over ibis.

Public API (other modules code against these names):

- ``catalogue.load_profile(name, on=None, *, data_dir=None) -> list[Indicator]``, ``profiles()``,
  ``get(indicator_id, profile)``
- ``evaluate.evaluate(engine, profile, start, end, *, by=(), compare=None|"yoy", filters=None,
  indicators=None, as_of=None) -> Result`` (``Result.rows: list[Row]``, ``Result.to_dict()``,
  ``Result.get(indicator, **group)``); ``evaluate.evaluate_profiles(...)`` for several profiles in one
  pass; ``evaluate.compute_value(indicator, numerator, denominator)`` to recompute pooled values
- ``drill.case_list(engine, indicator_id, profile, start, end, group, part="numerator", limit=None)``
- ``series.monthly(engine, start, end, filters=None, previous_year=False) -> list[dict]``
"""
