"""Small shared pieces for the web tests (an upload file with known bad rows, an isolated app)."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

HEADER = ["案号", "立案日期", "结案日期", "承办人", "承办部门", "案由", "适用程序", "标的额", "是否开庭"]
GOOD = ["(2025)冀0123民初99901号", "2025-10-09", "", "张三", "民事审判一庭", "买卖合同纠纷", "简易程序", "1000", "是"]
BAD_DATE = ["(2025)冀0123民初99902号", "2025-13-45", "", "李四", "民事审判一庭", "借款合同纠纷", "简易程序", "2000", "是"]
BAD_NUMBER = ["不是案号", "2025-10-10", "", "王五", "民事审判一庭", "借款合同纠纷", "简易程序", "3000", "否"]


def upload_csv(path: Path) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    w.writerows([GOOD, BAD_DATE, BAD_NUMBER])
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path


def isolated_app(env, tmp_path: Path):
    """A fresh app over a copy of the session store and ops DB, for tests that write."""
    from zhixiao.config import Settings
    from zhixiao.web.app import create_app

    d = tmp_path / "data"
    shutil.copytree(env.data_dir, d)
    return create_app(Settings(data_dir=d)), d


VIEWPORT = {"width": 1400, "height": 1000}


def watched_page(browser, problems: list[str], *, console: bool = True, **options):
    """A Chromium page in a Chinese context whose script errors (and console errors, unless ``console`` is off)
    are collected in ``problems``: a browser test ends by asserting it is empty. Returns (context, page)."""
    ctx = browser.new_context(**{"viewport": VIEWPORT, "locale": "zh-CN", **options})
    page = ctx.new_page()
    if console:
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.set_default_timeout(60_000)
    return ctx, page
