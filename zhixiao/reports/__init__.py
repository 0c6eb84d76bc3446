"""The 数据会商 briefing a court circulates: .docx, .xlsx and .pdf from one data object.

- ``briefing.collect(engine, court_code, start, end, *, scope, compare, profile, settings) -> Briefing``
  gathers every number once (``model.Briefing``: sections of sentences, tables, chart specs).
- ``render.write_briefing(settings, court_code, start, end, out_dir, ...) -> BriefingFiles`` writes the files
  (``docx_builder``, ``xlsx_builder``, ``pdf``); ``narrative`` holds the Chinese number and sentence style,
  ``charts`` the matplotlib figures with a CJK font, ``fonts`` the 公文 faces and their fallbacks.
"""
