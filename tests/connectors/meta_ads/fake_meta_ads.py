"""A loopback imitation of the Meta Marketing API insights edge (Graph API).

Documented behaviour it follows: `access_token` in the query (error 190 as HTTP 400 otherwise),
`level=campaign`, `time_increment=1`, `time_range` as a JSON string, numbers as strings, `actions`
left out when empty, days without delivery left out, cursor paging (`paging.cursors.after`, and
`paging.next` only while more pages exist), asynchronous report runs (`POST .../insights` ->
`report_run_id`; the run object goes "Job Not Started" -> "Job Running" -> "Job Completed"; its
`insights` edge pages like the synchronous one), the `X-Business-Use-Case-Usage` header on every
answer, and Graph errors told apart by `error.code`. `faults()` queues how it fails: error 17
(user request limit) as HTTP 400, error 1 ("reduce the amount of data") as HTTP 500, an HTML 502
from the edge, a body cut short and a dropped connection."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

from tests.connectors.fake_http import FakeApi, Reply

VERSION = "v21.0"


def graph_error(code: int, message: str, status: int = 400, **extra: Any) -> Reply:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AfakeTrace", **extra}
    return Reply(status, {"error": error})


class MetaAdsFake:
    def __init__(self, api: FakeApi, *, access_token: str, page_size_cap: int = 500) -> None:
        self.api = api
        self.access_token = access_token
        self.page_size_cap = page_size_cap
        self.accounts: dict[str, dict[str, Any]] = {}
        self.usage: list[float] = []  # scripted call_count percentages, one per answer (then 1 %)
        self.regain_minutes = 0
        self.runs: dict[str, dict[str, Any]] = {}
        self.polls_until_done = 2

    def add_account(self, account_id: str, currency: str) -> None:
        self.accounts[account_id] = {"currency": currency, "rows": []}
        path = f"/{VERSION}/act_{account_id}/insights"
        self.api.route("GET", path)(lambda req: self.insights(account_id, req))
        self.api.route("POST", path)(lambda req: self.start_run(account_id, req))

    def add_day(
        self,
        account_id: str,
        day: dt.date,
        campaign_id: str,
        name: str,
        *,
        spend: str,
        impressions: int,
        clicks: int,
        leads: int = 0,
        purchases: int = 0,
        purchase_value: float = 0.0,
    ) -> None:
        row: dict[str, Any] = {
            "account_id": account_id,
            "account_currency": self.accounts[account_id]["currency"],
            "campaign_id": campaign_id,
            "campaign_name": name,
            "spend": spend,
            "impressions": str(impressions),
            "clicks": str(clicks),
            "date_start": day.isoformat(),
            "date_stop": day.isoformat(),
        }
        actions = [{"action_type": "link_click", "value": str(clicks)}] if clicks else []
        if leads:
            actions += [
                {"action_type": "offsite_conversion.fb_pixel_lead", "value": str(leads)},
                {"action_type": "lead", "value": str(leads)},
            ]
        if purchases:
            actions.append({"action_type": "purchase", "value": str(purchases)})
            row["action_values"] = [{"action_type": "purchase", "value": f"{purchase_value:.2f}"}]
        if actions:
            row["actions"] = actions
        self.accounts[account_id]["rows"].append(row)

    def faults(self) -> None:
        self.api.fail_next(
            graph_error(17, "(#17) User request limit reached", is_transient=True, error_subcode=2446079),
            graph_error(
                1, "Please reduce the amount of data you're asking for, then retry your request", 500
            ),
            Reply(502, "<html><body><h1>502 Bad Gateway</h1></body></html>", {"Content-Type": "text/html"}),
            Reply(200, {"data": [{"spend": "1"}] * 40}, cut_body=True),
            Reply(reset=True),
        )

    # -- helpers --------------------------------------------------------------------------------
    def _headers(self, account_id: str) -> dict[str, str]:
        pct = self.usage.pop(0) if self.usage else 1
        entry = {
            "type": "ads_insights",
            "call_count": pct,
            "total_cputime": max(1, pct // 2),
            "total_time": max(1, pct // 2),
            "estimated_time_to_regain_access": self.regain_minutes if pct >= 100 else 0,
            "ads_api_access_tier": "standard_access",
        }
        return {"x-business-use-case-usage": json.dumps({account_id: [entry]})}

    def _bad_token(self, req) -> Reply | None:
        if req.query.get("access_token", [""])[0] != self.access_token:
            return graph_error(190, "Invalid OAuth access token - Cannot parse access token")
        return None

    def _page(self, rows: list[dict[str, Any]], req, path: str, account_id: str) -> Reply:
        limit = min(int(req.query.get("limit", ["25"])[0]), self.page_size_cap)
        after = req.query.get("after", [""])[0]
        start = int(base64.b64decode(after).decode()) if after else 0
        page = rows[start : start + limit]
        body: dict[str, Any] = {"data": page}
        if page:
            body["paging"] = {
                "cursors": {
                    "before": base64.b64encode(str(start).encode()).decode(),
                    "after": base64.b64encode(str(start + len(page)).encode()).decode(),
                }
            }
            if start + limit < len(rows):
                nxt = base64.b64encode(str(start + limit).encode()).decode()
                # the real next link echoes the access token; clients must not log it
                body["paging"]["next"] = (
                    f"https://graph.facebook.com/{VERSION}/{path}?access_token={self.access_token}&after={nxt}"
                )
                body["paging"]["cursors"]["after"] = nxt
        usage = self._headers(account_id)
        pct = json.loads(usage["x-business-use-case-usage"])[account_id][0]["call_count"]
        if pct >= 100:
            return Reply(
                400, graph_error(80000, "There have been too many calls from this ad-account.").body, usage
            )
        return Reply(200, body, usage)

    def _rows(self, account_id: str, params: dict[str, str]) -> list[dict[str, Any]] | Reply:
        if params.get("level") != "campaign" or str(params.get("time_increment")) != "1":
            return graph_error(100, "(#100) level and time_increment are required for this test server")
        try:
            time_range = json.loads(params["time_range"])
            since, until = (
                dt.date.fromisoformat(time_range["since"]),
                dt.date.fromisoformat(time_range["until"]),
            )
        except (KeyError, ValueError):
            return graph_error(100, "(#100) param time_range must be a JSON object with since and until")
        rows = [
            r
            for r in self.accounts[account_id]["rows"]
            if since <= dt.date.fromisoformat(r["date_start"]) <= until
        ]
        return sorted(rows, key=lambda r: (r["date_start"], r["campaign_id"]))

    # -- routes ---------------------------------------------------------------------------------
    def insights(self, account_id: str, req) -> Reply:
        if (bad := self._bad_token(req)) is not None:
            return bad
        rows = self._rows(account_id, {k: v[0] for k, v in req.query.items()})
        if isinstance(rows, Reply):
            return rows
        return self._page(rows, req, f"act_{account_id}/insights", account_id)

    def start_run(self, account_id: str, req) -> Reply:
        if (bad := self._bad_token(req)) is not None:
            return bad
        rows = self._rows(account_id, {k: v[0] for k, v in req.query.items()})
        if isinstance(rows, Reply):
            return rows
        run_id = f"60{account_id}{len(self.runs)}"
        self.runs[run_id] = {"rows": rows, "polls": 0, "account": account_id}
        self.api.route("GET", f"/{VERSION}/{run_id}")(lambda r: self.poll(run_id, r))
        self.api.route("GET", f"/{VERSION}/{run_id}/insights")(lambda r: self.run_results(run_id, r))
        return Reply(200, {"report_run_id": run_id}, self._headers(account_id))

    def poll(self, run_id: str, req) -> Reply:
        if (bad := self._bad_token(req)) is not None:
            return bad
        run = self.runs[run_id]
        run["polls"] += 1
        done = run["polls"] > self.polls_until_done
        status = "Job Completed" if done else ("Job Not Started" if run["polls"] == 1 else "Job Running")
        pct = 100 if done else 50 * (run["polls"] - 1)
        return Reply(200, {"id": run_id, "async_status": status, "async_percent_completion": pct})

    def run_results(self, run_id: str, req) -> Reply:
        if (bad := self._bad_token(req)) is not None:
            return bad
        run = self.runs[run_id]
        if run["polls"] <= self.polls_until_done:
            return graph_error(100, "(#100) the report run is not complete")
        return self._page(run["rows"], req, f"{run_id}/insights", run["account"])
