"""Dates a user types (command options, form fields): ISO ``YYYY-MM-DD``, or a Chinese sentence saying how to
write one. Below the commands and the benchmarks, which both read such options."""

from __future__ import annotations

from datetime import date

from zhixiao.errors import UserError


def parse_date(text: str, what: str = "日期") -> date:
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise UserError(f"{what}“{text}”不是有效日期，请写成 YYYY-MM-DD，例如 2025-12-31。") from None
