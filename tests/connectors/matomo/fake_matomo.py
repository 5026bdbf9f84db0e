"""Matomo Reporting API imitation: `VisitsSummary.get` with `period=day` over a `date=A,B` range
in one call, the token in the POST body, `[]` for a day without visits, and errors as HTTP 200
with {"result": "error"} (what Matomo answers for a bad token_auth)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.connectors.fake_http import FakeApi, Reply

TOKEN = "0123456789abcdef0123456789abcdef"  # noqa: S105 - a fake token for the fake server


class MatomoFake:
    def __init__(self, api: FakeApi, token: str = TOKEN) -> None:
        self.api = api
        self.token = token
        self.days: dict[dt.date, dict[str, Any]] = {}
        api.route("POST", "/index.php")(self.call)

    def add_day(self, day: dt.date, visits: int, actions: int, converted: int = 0) -> None:
        self.days[day] = {
            "nb_uniq_visitors": visits - 1,
            "nb_visits": visits,
            "nb_actions": actions,
            "nb_visits_converted": converted,
            "bounce_count": visits // 3,
            "sum_visit_length": visits * 90,
            "bounce_rate": f"{round(100 * (visits // 3) / max(visits, 1))}%",
        }

    def call(self, req) -> Reply:
        form = req.form()
        if form.get("token_auth") != self.token:
            return Reply(
                200,
                {
                    "result": "error",
                    "message": "You can't access this resource as it requires 'view' access "
                    "for the website id = 1.",
                },
            )
        if form.get("method") != "VisitsSummary.get" or form.get("period") != "day":
            return Reply(200, {"result": "error", "message": "The method is not supported here."})
        first, _, last = form["date"].partition(",")
        start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last or first)
        out = {}
        day = start
        while day <= end:
            out[day.isoformat()] = self.days.get(day, [])
            day += dt.timedelta(days=1)
        return Reply(200, out)
