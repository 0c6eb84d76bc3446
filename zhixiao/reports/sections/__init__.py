"""The narrative step of a briefing: one module per section, each turning the typed figures
(``reports.figures.collect.BriefingFigures``) into ``model.Section``s — sentences and tables, never a query.

Sections follow the published 质效通报 / 会商 structure (REFERENCE.md §5.1): 收结存 with 同比 → 质量/效率/效果
with 区间达标 → 执行 → 审限 and 长期未结 → 短板弱项 with attribution → targets and 数据测算 → 12368 /
satisfaction / 司法建议 → 下一步 → annexes. Judges and divisions are listed by name, never ranked (2024-09 SPC
rule: 杜绝排名排序, REFERENCE §1.1).
"""
