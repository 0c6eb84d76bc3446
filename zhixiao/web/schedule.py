"""When the daily job last ran and when it runs next, for the 管理 page.

The last run is the newest data-quality record the daily job writes (``zhixiao.daily`` records it as
``system`` at its end, whether the systemd timer or an admin started it). The next run is read from the
installed systemd timer (``OnCalendar=*-*-* HH:MM``, as deploy/systemd/zhixiao-daily.timer ships it);
without an installed timer there is no next run to show, and the page says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhixiao.daily import SYSTEM
from zhixiao.quality.models import QualityRun

TIMER = "zhixiao-daily.timer"
TIMER_DIRS = (Path("/etc/systemd/system"), Path("/usr/lib/systemd/system"), Path("/lib/systemd/system"))
_DAILY = re.compile(r"^OnCalendar\s*=\s*(?:\*-\*-\*\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$", re.M)
_DELAY = re.compile(r"^RandomizedDelaySec\s*=\s*(\d+)\s*(min|m|s|sec)?\s*$", re.M)


@dataclass(frozen=True)
class Timer:
    path: Path
    at: time
    delay: timedelta  # RandomizedDelaySec: the run starts up to this much later

    def next_run(self, now: datetime) -> datetime:
        today = datetime.combine(now.date(), self.at)
        return today if today > now else today + timedelta(days=1)


def parse_timer(path: Path) -> Timer | None:
    """A daily ``OnCalendar`` timer file, or None when it is not one (another schedule is not guessed at)."""
    text = path.read_text(encoding="utf-8")
    m = _DAILY.search(text)
    if m is None:
        return None
    d = _DELAY.search(text)
    delay = timedelta(0)
    if d:
        n = int(d.group(1))
        delay = timedelta(minutes=n) if d.group(2) in ("min", "m") else timedelta(seconds=n)
    return Timer(path, time(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)), delay)


def installed_timer(dirs: tuple[Path, ...] = TIMER_DIRS) -> Timer | None:
    for d in dirs:
        if (d / TIMER).is_file():
            return parse_timer(d / TIMER)
    return None


def last_daily_run(session: Session) -> QualityRun | None:
    q = select(QualityRun).where(QualityRun.created_by == SYSTEM).order_by(QualityRun.id.desc()).limit(1)
    return session.scalar(q)
