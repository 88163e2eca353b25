"""When, by whom and for which intake a screening was made: the head of every summary."""

from __future__ import annotations

import getpass
from datetime import datetime

from screener.core.frozen import record_class


@record_class
class Occasion:
    intake_id: str | None = None
    at: datetime | None = None
    by: str | None = None
    recorded: bool = False  # `at` is when a saved record was made (not when it was scored)

    def line(self) -> str:
        """ "Screened 2026-12-01 14:32 by alice", or "Recorded ..." for a saved record."""
        verb = "Recorded" if self.recorded else "Screened"
        when = f" {self.at.strftime('%Y-%m-%d %H:%M')}" if self.at is not None else ""
        who = f" by {self.by}" if self.by else ""
        return f"{verb}{when}{who}" if when or who else ""


def login_name() -> str | None:
    """Who is running the command, for "screened by" when `--by` is not given."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name (a container without a passwd entry)
        return None
