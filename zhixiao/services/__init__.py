"""Litigation service (诉讼服务): 12368 tickets, satisfaction (一事一评, 差评督办), 司法建议, special ledgers,
繁简分流 and specialised-team routing, staff assessment and integrity-risk flags.

Public API (import from the submodules):

- ``hotline.hotline_stats(session, court_code, start, end, settings=None, as_of=None) -> dict``
- ``hotline.add_ticket(session, court_code=…, ticket_no=…, category=…, received_at=…, cases=…, …)``,
  ``hotline.import_tickets(session, path, court_code, settings, cases) -> ImportResult`` (rows left out are
  listed), ``hotline.respond(…)``, ``hotline.update_ticket(session, ticket_no, user=…, **fields)``
- ``satisfaction.satisfaction_stats(session, court_code, start, end, settings=None) -> dict``,
  ``satisfaction.add_rating(…)``, ``import_ratings``, ``update_rating``, ``resolve_followup(…)``
- ``suggestions.suggestion_stats(session, court_code, start, end, as_of=None) -> dict``,
  ``suggestions.new_suggestion / approve / send / record_reply / archive / update_suggestion``
- ``audit.history(session, register, key)``: the recorded changes of a ticket, rating, suggestion or petition

Every register refuses a key it already holds (ticket number, rating number, 文号, petitioner and case)
with ``common.duplicate_key``'s sentence (a ``DuplicateKey`` carrying the stored key); a stored record changes
only through an update function, which writes a ``ServiceChange`` row. The refusals say what is wrong and
what to do in words, never a command or a flag: they serve the CLI and the web alike, and the CLI adds its own
command where it prints one.
- ``routing.route_case(engine, case_or_text, settings, as_of=None) -> RoutingDecision``
- ``assessment.assess(engine, session, court_code, quarter, settings=None, metrics=None, as_of=None) ->
  list[Sheet]``, ``write_xlsx``; ``assessment.person_metrics(engine, court_code, quarter, settings=None,
  deadlines=None, as_of=None)`` is its case-store part (the dashboard keeps it per snapshot; ratings are read
  at each ``assess``). A running quarter is measured to the data's as-of date (``Sheet.measured_to``)
- ``minsheng_cases`` and ``deadline_status`` take ``deadlines=``, a 审限 table already at hand (the
  dashboard's stored one), else they compute it
- ``ledgers.topic_ledgers / minsheng_cases / enforcement_hard / admin_resolution / petition_stats``,
  ``ledgers.add_petition / update_petition``
- ``integrity.integrity_flags(engine, start, end, court_code=None, settings=None) -> list[Flag]``
- ``alerts.overdue_items(session, as_of, settings=None) -> list[dict]`` for the 提醒→督办 ladder
- ``demo.seed(settings, as_of, seed) -> str``
"""
