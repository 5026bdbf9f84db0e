"""A loopback imitation of the LinkedIn Marketing API (versioned REST, Rest.li 2.0).

Documented behaviour it follows: `Authorization: Bearer`, a `LinkedIn-Version: YYYYMM` header
whose version must be active (426 NONEXISTENT_VERSION otherwise, 400 when missing),
`X-Restli-Protocol-Version: 2.0.0`; `GET /rest/adAccounts/{id}` (with `currency`);
`GET /rest/adAccounts/{id}/adCampaigns?q=search` paged by `pageSize` and
`metadata.nextPageToken`; `GET /rest/adAnalytics?q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY`
with a Rest.li `dateRange=(start:(year:..,month:..,day:..),end:(..))` and
`accounts=List(urn%3Ali%3AsponsoredAccount%3A..)`, no paging and at most `max_elements` elements
per answer (15,000 in the real API); errors as `{status, serviceErrorCode, code, message}`.
`faults()` queues how it fails: a 429 throttle, a 500, an HTML 504 from the edge, a body cut
short and a dropped connection."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from tests.connectors.fake_http import FakeApi, Reply

ACTIVE_VERSIONS = {"202506", "202507", "202508", "202509", "202510"}
_DATE = re.compile(r"\(year:(\d+),month:(\d+),day:(\d+)\)")


def li_error(status: int, code: str, message: str, service_code: int = 0) -> Reply:
    return Reply(
        status, {"status": status, "serviceErrorCode": service_code, "code": code, "message": message}
    )


class LinkedInAdsFake:
    def __init__(self, api: FakeApi, *, access_token: str, max_elements: int = 15_000) -> None:
        self.api = api
        self.access_token = access_token
        self.max_elements = max_elements
        self.accounts: dict[str, dict[str, Any]] = {}
        api.route("GET", "/rest/adAnalytics")(self.analytics)

    def add_account(self, account_id: str, currency: str, campaigns: dict[str, str]) -> None:
        self.accounts[account_id] = {"currency": currency, "campaigns": campaigns, "days": []}
        self.api.route("GET", f"/rest/adAccounts/{account_id}")(lambda req: self.account(account_id, req))
        self.api.route("GET", f"/rest/adAccounts/{account_id}/adCampaigns")(
            lambda req: self.campaigns(account_id, req)
        )

    def add_day(
        self,
        account_id: str,
        day: dt.date,
        campaign_id: str,
        *,
        cost: str,
        impressions: int,
        clicks: int,
        conversions: int = 0,
        leads: int = 0,
        value: str = "0",
    ) -> None:
        self.accounts[account_id]["days"].append(
            (day, campaign_id, cost, impressions, clicks, conversions, leads, value)
        )

    def faults(self) -> None:
        self.api.fail_next(
            li_error(
                429, "TOO_MANY_REQUESTS", "Resource level throttle APPLICATION MINUTE limit is reached.", 101
            ),
            li_error(500, "INTERNAL_SERVER_ERROR", "Internal Server Error"),
            Reply(504, "<html><body>504 Gateway Time-out</body></html>", {"Content-Type": "text/html"}),
            Reply(200, {"elements": [{"clicks": 1}] * 60}, cut_body=True),
            Reply(reset=True),
        )

    # -- checks every call makes ----------------------------------------------------------------
    def _refuse(self, req) -> Reply | None:
        if req.headers.get("authorization") != f"Bearer {self.access_token}":
            return li_error(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600)
        version = req.headers.get("linkedin-version")
        if not version:
            return li_error(
                400,
                "VERSION_MISSING",
                "A version must be present. Please specify a version by adding the LinkedIn-Version header.",
            )
        if version not in ACTIVE_VERSIONS:
            return li_error(426, "NONEXISTENT_VERSION", f"Requested version {version} is not active")
        if req.headers.get("x-restli-protocol-version") != "2.0.0":
            return li_error(400, "ILLEGAL_ARGUMENT", "Rest.li protocol 2.0.0 is required for this resource")
        return None

    # -- routes ---------------------------------------------------------------------------------
    def account(self, account_id: str, req) -> Reply:
        if (bad := self._refuse(req)) is not None:
            return bad
        return Reply(
            200,
            {
                "id": int(account_id),
                "name": f"Account {account_id}",
                "currency": self.accounts[account_id]["currency"],
                "status": "ACTIVE",
            },
        )

    def campaigns(self, account_id: str, req) -> Reply:
        if (bad := self._refuse(req)) is not None:
            return bad
        if req.query.get("q") != ["search"]:
            return li_error(400, "ILLEGAL_ARGUMENT", "q=search is required")
        size = int(req.query.get("pageSize", ["100"])[0])
        start = int(req.query.get("pageToken", ["p0"])[0][1:])
        items = sorted(self.accounts[account_id]["campaigns"].items())
        elements = [
            {"id": int(cid), "name": name, "account": f"urn:li:sponsoredAccount:{account_id}"}
            for cid, name in items[start : start + size]
        ]
        body: dict[str, Any] = {"elements": elements, "metadata": {}}
        if start + size < len(items):
            body["metadata"]["nextPageToken"] = f"p{start + size}"
        return Reply(200, body)

    def analytics(self, req) -> Reply:
        if (bad := self._refuse(req)) is not None:
            return bad
        q = {k: v[0] for k, v in req.query.items()}
        if (q.get("q"), q.get("pivot"), q.get("timeGranularity")) != ("analytics", "CAMPAIGN", "DAILY"):
            return li_error(
                400, "ILLEGAL_ARGUMENT", "q=analytics, pivot=CAMPAIGN and timeGranularity=DAILY expected"
            )
        dates = _DATE.findall(q.get("dateRange", ""))
        accounts = re.findall(r"urn:li:sponsoredAccount:(\d+)", q.get("accounts", ""))
        if len(dates) != 2 or not accounts:
            return li_error(400, "ILLEGAL_ARGUMENT", "Invalid dateRange or accounts")
        start, end = (dt.date(int(y), int(m), int(d)) for y, m, d in dates)
        fields = set(q.get("fields", "").split(","))
        elements = []
        for account_id in accounts:
            for day, cid, cost, imp, clicks, conv, leads, value in sorted(self.accounts[account_id]["days"]):
                if not start <= day <= end:
                    continue
                ymd = {"year": day.year, "month": day.month, "day": day.day}
                element = {
                    "dateRange": {"start": ymd, "end": ymd},
                    "pivotValues": [f"urn:li:sponsoredCampaign:{cid}"],
                    "impressions": imp,
                    "clicks": clicks,
                    "costInLocalCurrency": cost,
                    "externalWebsiteConversions": conv,
                    "oneClickLeads": leads,
                    "conversionValueInLocalCurrency": value,
                }
                elements.append({k: v for k, v in element.items() if k in fields})
        return Reply(
            200, {"elements": elements[: self.max_elements], "paging": {"count": 10, "start": 0, "links": []}}
        )
