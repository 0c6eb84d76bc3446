"""The demo creates one account per role with random passwords that really log in with that role."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.conftest import AS_OF, COURT, login
from tests.web.helpers import isolated_app


def _accounts(text: str) -> dict[str, str]:
    return dict(re.findall(r"^(\w+) / (\S+)（", text, flags=re.M))


def test_seed_one_account_per_role(web_env, tmp_path):
    from zhixiao.config import Settings
    from zhixiao.web.demo_users import seed

    app, d = isolated_app(web_env, tmp_path)
    first = _accounts(seed(Settings(data_dir=d), AS_OF, 7))
    assert set(first) == {"admin", "analyst", "president", "division_head", "judge"}
    assert len(set(first.values())) == 5 and all(len(p) >= 12 for p in first.values())
    second = _accounts(seed(Settings(data_dir=d), AS_OF, 7))
    assert all(second[u] != first[u] for u in first)  # fresh random passwords each time
    seen = {}
    for username, password in second.items():
        c = TestClient(app)
        assert login(c, username, first[username]).status_code == 401  # the old password is gone
        assert login(c, username, password).status_code == 303
        seen[username] = c.get("/").text
    assert "（法官 · 冀0123 · " in seen["judge"] and "（庭长 · 冀0123 · " in seen["division_head"]
    assert f"（院领导 · {COURT}）" in seen["president"] and "管理</a>" in seen["admin"]
    assert "管理</a>" not in seen["analyst"] and "数据导入</a>" in seen["analyst"]
    assert "会商报告</a>" not in seen["judge"] and "目标与测算</a>" not in seen["judge"]
