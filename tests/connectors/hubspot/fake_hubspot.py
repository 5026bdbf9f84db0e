"""HubSpot CRM v3 imitation: contacts and deals in memory, list endpoints with `after` cursors,
search endpoints with the 10,000-result cap."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.connectors.fake_http import FakeApi, Reply

TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"  # noqa: S105 - a fake token for the fake server
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


class HubSpotFake:
    """Contacts and deals held in memory; list and search endpoints as documented."""

    def __init__(self, api: FakeApi) -> None:
        self.api = api
        self.objects: dict[str, dict[str, dict[str, Any]]] = {"contacts": {}, "deals": {}}
        self.cap = 10000
        self._ms: dict[tuple[str, str], int] = {}
        api.route("GET", "/crm/v3/objects/contacts")(lambda r: self.list("contacts", r))
        api.route("GET", "/crm/v3/objects/deals")(lambda r: self.list("deals", r))
        api.route("POST", "/crm/v3/objects/contacts/search")(lambda r: self.search("contacts", r))
        api.route("POST", "/crm/v3/objects/deals/search")(lambda r: self.search("deals", r))

    def add_contact(
        self, i: int, modified: dt.datetime, stage: str = "lead", email: str | None = None
    ) -> None:
        self.objects["contacts"][str(i)] = {
            "id": str(i),
            "properties": {
                "hs_object_id": str(i),
                "email": email or f"person{i}@example.fi",
                "firstname": "Aino",
                "phone": "+358401234567",
                "lifecyclestage": stage,
                "hs_lead_status": "NEW",
                "hs_analytics_source": "PAID_SEARCH",
                "hs_analytics_source_data_2": "spring_sale",
                "lead_source": "inbound",
                "createdate": iso(T0),
                "lastmodifieddate": iso(modified),
                "hs_lifecyclestage_lead_date": iso(T0),
                "hs_lifecyclestage_marketingqualifiedlead_date": iso(modified) if stage != "lead" else None,
            },
            "createdAt": iso(T0),
            "updatedAt": iso(modified),
            "archived": False,
        }

    def add_deal(
        self, i: int, modified: dt.datetime, stage: str = "closedwon", amount: str = "1500.50"
    ) -> None:
        self.objects["deals"][str(i)] = {
            "id": str(i),
            "properties": {
                "dealname": f"Deal {i}",
                "dealstage": stage,
                "pipeline": "default",
                "amount": amount,
                "closedate": "2026-01-14T23:30:00Z",
                "createdate": iso(T0),
                "hs_lastmodifieddate": iso(modified),
            },
        }

    def _auth(self, req) -> Reply | None:
        if req.headers.get("authorization") != f"Bearer {TOKEN}":
            return Reply(
                401,
                {
                    "status": "error",
                    "message": "Authentication credentials not found.",
                    "category": "INVALID_AUTHENTICATION",
                },
            )
        return None

    def list(self, obj: str, req) -> Reply:
        if (bad := self._auth(req)) is not None:
            return bad
        limit = min(int(req.query.get("limit", ["10"])[0]), 100)
        start = int(req.query.get("after", ["c0"])[0][1:])
        items = sorted(self.objects[obj].values(), key=lambda r: int(r["id"]))
        page = items[start : start + limit]
        body: dict[str, Any] = {"results": page}
        if start + limit < len(items):
            nxt = f"c{start + limit}"
            body["paging"] = {
                "next": {"after": nxt, "link": f"https://api.hubapi.com/crm/v3/objects/{obj}?after={nxt}"}
            }
        return Reply(200, body)

    def search(self, obj: str, req) -> Reply:
        if (bad := self._auth(req)) is not None:
            return bad
        body = req.json()
        f = body["filterGroups"][0]["filters"][0]
        prop = f["propertyName"]
        assert f["operator"] == "GTE" and body["sorts"][0]["direction"] == "ASCENDING"
        lower = int(f["value"])
        limit = int(body.get("limit", 10))
        assert limit <= 200
        after = int(body.get("after", "0"))
        if after >= self.cap:
            return Reply(
                400,
                {
                    "status": "error",
                    "message": "Cannot page beyond 10000 results",
                    "category": "VALIDATION_ERROR",
                },
            )

        def ms(r):
            if (prop, r["properties"][prop]) not in self._ms:
                t = dt.datetime.fromisoformat(r["properties"][prop].replace("Z", "+00:00"))
                self._ms[(prop, r["properties"][prop])] = int(t.timestamp() * 1000)
            return self._ms[(prop, r["properties"][prop])]

        hits = sorted(
            (r for r in self.objects[obj].values() if ms(r) >= lower), key=lambda r: (ms(r), int(r["id"]))
        )
        page = hits[after : after + limit]
        out: dict[str, Any] = {"total": len(hits), "results": page}
        if after + limit < len(hits):
            out["paging"] = {"next": {"after": str(after + limit)}}
        return Reply(200, out)
