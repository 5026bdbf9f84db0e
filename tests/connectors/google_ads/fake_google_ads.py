"""A loopback imitation of the Google Ads API: Google's OAuth token endpoint (refresh-token grant)
and `googleAds:searchStream` answering a GAQL campaign query as a JSON array of batches.

Documented behaviour it follows: the developer-token header is required (401 otherwise), a manager
login-customer-id when configured, int64 fields as strings, cost in micros, a finite
`segments.date` filter required (400 otherwise), errors as `{"error": {code, message, status,
details: [GoogleAdsFailure]}}`, quota errors as 429 RESOURCE_EXHAUSTED with `retryDelay`.
`faults()` queues the ways the real API fails (quota with retryDelay, 503, a body cut short, a
dropped connection)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from tests.connectors.fake_http import FakeApi, Reply

ACCESS_TOKEN = "ya29.fake-google-ads-access-token-0001"  # noqa: S105 - fake token of the fake server
VERSION = "v21"
_BETWEEN = re.compile(r"segments\.date BETWEEN '(\d{4}-\d{2}-\d{2})' AND '(\d{4}-\d{2}-\d{2})'")


def google_error(code: int, status: str, message: str, **failure: Any) -> dict[str, Any]:
    details = [
        {
            "@type": f"type.googleapis.com/google.ads.googleads.{VERSION}.errors.GoogleAdsFailure",
            "errors": [
                {"errorCode": failure.get("error_code", {}), "message": message, **failure.get("extra", {})}
            ],
            "requestId": "fake-request",
        }
    ]
    return {"error": {"code": code, "message": message, "status": status, "details": details}}


def quota_reply(retry_delay_s: int) -> Reply:
    return Reply(
        429,
        google_error(
            429,
            "RESOURCE_EXHAUSTED",
            "Resource has been exhausted (e.g. check quota).",
            error_code={"quotaError": "RESOURCE_TEMPORARILY_EXHAUSTED"},
            extra={
                "details": {
                    "quotaErrorDetails": {
                        "rateScope": "DEVELOPER",
                        "rateName": "Number of operations for basic access",
                        "retryDelay": f"{retry_delay_s}s",
                    }
                }
            },
        ),
    )


class GoogleAdsFake:
    def __init__(
        self,
        api: FakeApi,
        *,
        developer_token: str,
        refresh_token: str,
        client_secret: str,
        login_customer_id: str | None = None,
        batch_size: int = 3,
    ) -> None:
        self.api = api
        self.developer_token = developer_token
        self.refresh_token = refresh_token
        self.client_secret = client_secret
        self.login_customer_id = login_customer_id
        self.batch_size = batch_size
        self.customers: dict[str, dict[str, Any]] = {}
        api.route("POST", "/token")(self.token)

    def add_customer(self, customer_id: str, currency: str) -> None:
        self.customers[customer_id] = {"currency": currency, "rows": []}
        self.api.route("POST", f"/{VERSION}/customers/{customer_id}/googleAds:searchStream")(
            lambda req: self.search_stream(customer_id, req)
        )

    def add_day(
        self,
        customer_id: str,
        day: dt.date,
        campaign_id: int,
        name: str,
        *,
        cost: float,
        impressions: int,
        clicks: int,
        conversions: float = 0.0,
        value: float = 0.0,
    ) -> None:
        self.customers[customer_id]["rows"].append(
            (day, campaign_id, name, round(cost * 1_000_000), impressions, clicks, conversions, value)
        )

    def faults(self, quota_delay_s: int = 3) -> None:
        self.api.fail_next(
            quota_reply(quota_delay_s),
            Reply(503, google_error(503, "UNAVAILABLE", "The service is currently unavailable.")),
            Reply(200, [{"results": [{"campaign": {"id": "1"}}] * 50}], cut_body=True),
            Reply(reset=True),
        )

    # -- routes -------------------------------------------------------------------------------
    def token(self, req) -> Reply:
        form = req.form()
        if form.get("grant_type") != "refresh_token":
            return Reply(400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"})
        if form.get("refresh_token") != self.refresh_token or form.get("client_secret") != self.client_secret:
            return Reply(
                400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
            )
        return Reply(200, {"access_token": ACCESS_TOKEN, "expires_in": 3599, "token_type": "Bearer"})

    def search_stream(self, customer_id: str, req) -> Reply:
        if req.headers.get("authorization") != f"Bearer {ACCESS_TOKEN}":
            return Reply(
                401,
                google_error(
                    401,
                    "UNAUTHENTICATED",
                    "Request is missing required authentication credential.",
                    error_code={"authenticationError": "AUTHENTICATION_ERROR"},
                ),
            )
        if req.headers.get("developer-token") != self.developer_token:
            return Reply(
                401,
                google_error(
                    401,
                    "UNAUTHENTICATED",
                    "The developer token is not valid.",
                    error_code={"authenticationError": "DEVELOPER_TOKEN_INVALID"},
                ),
            )
        if self.login_customer_id and req.headers.get("login-customer-id") != self.login_customer_id:
            return Reply(
                403,
                google_error(
                    403,
                    "PERMISSION_DENIED",
                    "User doesn't have permission to access customer.",
                    error_code={"authorizationError": "USER_PERMISSION_DENIED"},
                ),
            )
        query = (req.json() or {}).get("query", "")
        match = _BETWEEN.search(query)
        if not match:
            return Reply(
                400,
                google_error(
                    400,
                    "INVALID_ARGUMENT",
                    "Request contains an invalid argument.",
                    error_code={"queryError": "EXPECTED_FILTERS_ON_DATE_RANGE"},
                ),
            )
        start, end = (dt.date.fromisoformat(g) for g in match.groups())
        customer = self.customers[customer_id]
        results = [
            {
                "customer": {
                    "resourceName": f"customers/{customer_id}",
                    "id": customer_id,
                    "currencyCode": customer["currency"],
                },
                "campaign": {
                    "resourceName": f"customers/{customer_id}/campaigns/{cid}",
                    "id": str(cid),
                    "name": name,
                },
                "metrics": {
                    "costMicros": str(micros),
                    "impressions": str(imp),
                    "clicks": str(clicks),
                    "conversions": conv,
                    "conversionsValue": value,
                },
                "segments": {"date": day.isoformat()},
            }
            for day, cid, name, micros, imp, clicks, conv, value in customer["rows"]
            if start <= day <= end
        ]
        mask = (
            "customer.id,customer.currencyCode,campaign.id,campaign.name,segments.date,metrics.costMicros,"
            "metrics.impressions,metrics.clicks,metrics.conversions,metrics.conversionsValue"
        )
        batches = [
            {"results": results[i : i + self.batch_size], "fieldMask": mask, "requestId": f"r{i}"}
            for i in range(0, len(results), self.batch_size)
        ] or [{"fieldMask": mask, "requestId": "r0"}]
        return Reply(200, batches)
