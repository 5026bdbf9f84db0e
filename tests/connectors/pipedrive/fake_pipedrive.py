"""Pipedrive API v2 deals imitation: `updated_since`, base64 cursors, the x-api-token header."""

from __future__ import annotations

import base64

from tests.connectors.fake_http import FakeApi, Reply

TOKEN = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"  # noqa: S105 - a fake token for the fake server


class PipedriveFake:
    def __init__(self, api: FakeApi) -> None:
        self.api = api
        self.deals: dict[int, dict] = {}
        api.route("GET", "/api/v2/deals")(self.list)

    def put(self, i: int, updated: str, status: str = "open", value: float = 1500) -> None:
        self.deals[i] = {
            "id": i,
            "title": f"Deal {i}",
            "value": value,
            "currency": "EUR",
            "status": status,
            "stage_id": 2,
            "pipeline_id": 1,
            "owner_id": 7,
            "person_id": 12,
            "org_id": 3,
            "add_time": "2026-01-04T10:44:11Z",
            "update_time": updated,
            "won_time": None,
            "lost_time": None,
            "expected_close_date": "2026-03-01",
            "is_deleted": False,
            "custom_fields": {},
        }

    def list(self, req) -> Reply:
        if req.headers.get("x-api-token") != TOKEN:
            return Reply(401, {"success": False, "error": "unauthorized access", "errorCode": 401})
        q = {k: v[0] for k, v in req.query.items()}
        since = q.get("updated_since")
        hits = sorted(
            (d for d in self.deals.values() if since is None or d["update_time"] >= since),
            key=lambda d: (d["update_time"], d["id"]),
        )
        start = int(base64.b64decode(q["cursor"]).decode()) if "cursor" in q else 0
        limit = int(q.get("limit", 100))
        page = hits[start : start + limit]
        nxt = base64.b64encode(str(start + limit).encode()).decode() if start + limit < len(hits) else None
        return Reply(200, {"success": True, "data": page or None, "additional_data": {"next_cursor": nxt}})
