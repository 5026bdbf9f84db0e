"""Matomo Reporting API: `VisitsSummary.get` per day, with `token_auth` in the POST body."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from connectors.http import HttpClient

_DATE_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Matomo's words for a wrong, expired or under-privileged token_auth (it answers HTTP 200).
_TOKEN_PROBLEM = re.compile(r"token|authenticat|access|log ?in|permission|privilege", re.IGNORECASE)


class MatomoClient:
    def __init__(self, http: HttpClient, base_url: str, site_id: str, token: str):
        self.http = http
        self.url = f"{base_url.rstrip('/')}/index.php"
        self.site_id = str(site_id)
        self.token = token

    def call(self, method: str, **params: Any) -> Any:
        """One API method; the token travels in the form body, never in the URL (Matomo 5
        rejects "secure only" tokens sent as GET parameters, and URLs end up in logs)."""
        form = {
            "module": "API",
            "method": method,
            "format": "JSON",
            "idSite": self.site_id,
            **params,
            "token_auth": self.token,
        }
        resp = self.http.request("POST", self.url, endpoint=method, data=form, expect_json=True)
        body = resp.json()
        # Matomo reports errors as HTTP 200 with {"result": "error", "message": ...}.
        if isinstance(body, dict) and body.get("result") == "error":
            message = " ".join(str(body.get("message", "")).split())
            what = f"the API answered with an error: {message}"
            auth = bool(_TOKEN_PROBLEM.search(message))
            raise self.http.error(what, method, self.url, resp.status_code, auth=auth)
        return body

    def visits_summary(self, start: dt.date, end: dt.date) -> dict[dt.date, dict[str, Any]]:
        """Per day of start..end its metrics; a day with no data comes back as `[]` and is left out."""
        body = self.call("VisitsSummary.get", period="day", date=f"{start.isoformat()},{end.isoformat()}")
        if isinstance(body, dict) and body and all(_DATE_KEY.match(k) for k in body):
            by_day = body
        else:  # a single date: the bare object (or [] when empty)
            by_day = {start.isoformat(): body}
        out = {}
        for key, metrics in by_day.items():
            if isinstance(metrics, dict) and metrics:
                out[dt.date.fromisoformat(key)] = metrics
            elif metrics != []:  # anything but "no data" would silently empty the day: refuse it
                shape = "null" if metrics is None else f"a JSON {type(metrics).__name__}"
                raise self.http.error(
                    f"unexpected answer for {key}: {shape} instead of the day's metrics or []",
                    "VisitsSummary.get",
                    self.url,
                )
        return out
