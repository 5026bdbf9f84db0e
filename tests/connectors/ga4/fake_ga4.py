"""GA4 Data API runReport imitation: rows held in memory, filtered by the request's date range,
paged by offset/limit, proto3 JSON (int64 as strings, empty lists dropped)."""

from __future__ import annotations

import datetime as dt

from tests.connectors.fake_http import FakeApi, Reply

TOKEN = "ya29.c.TESTACCESSTOKEN0123456789"  # noqa: S105 - a fake token for the fake server
PROPERTY = "123456789"
PATH = f"/v1beta/properties/{PROPERTY}:runReport"


class GA4Fake:
    def __init__(self, api: FakeApi) -> None:
        self.api = api
        self.rows: list[dict] = []  # report rows as the API returns them (all strings)
        self.token = TOKEN
        api.route("POST", PATH)(self.run_report)

    def add(self, day: dt.date, channel: str, campaign: str, sessions: int) -> None:
        self.rows.append(
            {
                "dimensionValues": [
                    {"value": day.strftime("%Y%m%d")},
                    {"value": channel},
                    {"value": "google"},
                    {"value": "cpc"},
                    {"value": campaign},
                ],
                "metricValues": [
                    {"value": str(sessions)},
                    {"value": str(sessions - 1)},
                    {"value": "3"},
                    {"value": str(sessions // 2)},
                    {"value": "1"},
                ],
            }
        )

    def run_report(self, req) -> Reply:
        if req.headers.get("authorization") != f"Bearer {self.token}":
            return Reply(
                401,
                {
                    "error": {
                        "code": 401,
                        "message": "Request had invalid authentication credentials.",
                        "status": "UNAUTHENTICATED",
                    }
                },
            )
        body = req.json()
        rng = body["dateRanges"][0]
        start, end = (dt.date.fromisoformat(rng["startDate"]), dt.date.fromisoformat(rng["endDate"]))
        hits = [
            r
            for r in self.rows
            if start <= dt.datetime.strptime(r["dimensionValues"][0]["value"], "%Y%m%d").date() <= end
        ]
        offset, limit = int(body.get("offset", 0)), int(body.get("limit", 10000))
        out = {
            "dimensionHeaders": [{"name": d["name"]} for d in body["dimensions"]],
            "metricHeaders": [{"name": m["name"], "type": "TYPE_INTEGER"} for m in body["metrics"]],
            "metadata": {"currencyCode": "EUR", "timeZone": "Europe/Helsinki"},
            "kind": "analyticsData#runReport",
        }
        if hits:  # proto3 JSON drops empty lists and zero counts
            out["rows"] = hits[offset : offset + limit]
            out["rowCount"] = str(len(hits))  # int64 as a string
        return Reply(200, out)
