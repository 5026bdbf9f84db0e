"""A loopback imitation of the Salesforce REST API.

Documented behaviour it follows: `POST /services/oauth2/token` with the client-credentials grant
(consumer key and secret) or the JWT bearer grant (an RS256 JWT: iss = consumer key, sub =
username, aud = the login URL, exp in the near future), answering `access_token` and
`instance_url`; `GET /services/data/vXX.X/query` and `/queryAll` with a SOQL `q` (`queryAll`
also returns deleted records, `IsDeleted: true`), `Sforce-Query-Options: batchSize=N` pages
followed through `nextRecordsUrl` until `done`; every record carries `attributes`; datetimes as
`2026-01-05T10:12:44.000+0000`; the `Sforce-Limit-Info: api-usage=n/limit` header; errors as a
JSON list `[{"message", "errorCode"}]` (401 INVALID_SESSION_ID when a session expires, 403
REQUEST_LIMIT_EXCEEDED, 400 MALFORMED_QUERY). `faults()` queues how it fails: 503
SERVER_UNAVAILABLE, an HTML 500, a body cut short, a dropped connection and an expired session."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

from google.auth import jwt

from tests.connectors.fake_http import FakeApi, Reply

VERSION = "v62.0"
_SOQL = re.compile(
    r"^SELECT (?P<fields>.+?) FROM (?P<obj>\w+)"
    r"(?: WHERE SystemModstamp >= (?P<since>\S+))? ORDER BY SystemModstamp ASC$"
)


def sf_errors(status: int, code: str, message: str) -> Reply:
    return Reply(status, [{"message": message, "errorCode": code}])


def stamp(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


class SalesforceFake:
    def __init__(
        self,
        api: FakeApi,
        *,
        client_id: str,
        client_secret: str | None = None,
        public_key_pem: str | None = None,
        username: str = "",
        daily_limit: int = 15000,
    ) -> None:
        self.api = api
        self.client_id = client_id
        self.client_secret = client_secret
        self.public_key_pem = public_key_pem
        self.username = username
        self.daily_limit = daily_limit
        self.used = 0
        self.records: dict[str, dict[str, dict[str, Any]]] = {"Opportunity": {}, "Lead": {}, "Contact": {}}
        self.tokens: list[str] = []
        self._locators = itertools.count(1)
        api.route("POST", "/services/oauth2/token")(self.token)
        api.route("GET", f"/services/data/{VERSION}/query")(lambda r: self.query(r, include_deleted=False))
        api.route("GET", f"/services/data/{VERSION}/queryAll")(lambda r: self.query(r, include_deleted=True))

    # -- data -----------------------------------------------------------------------------------
    def put(self, sobject: str, rec_id: str, modified: dt.datetime, **fields: Any) -> None:
        rec = self.records[sobject].get(
            rec_id, {"Id": rec_id, "IsDeleted": False, "CreatedDate": stamp(modified)}
        )
        rec.update(fields)
        rec["SystemModstamp"] = stamp(modified)
        self.records[sobject][rec_id] = rec

    def delete(self, sobject: str, rec_id: str, when: dt.datetime) -> None:
        self.put(sobject, rec_id, when, IsDeleted=True)

    def faults(self) -> None:
        self.api.fail_next(
            sf_errors(503, "SERVER_UNAVAILABLE", "Server is unavailable"),
            Reply(
                500,
                "<html><body>An internal server error has occurred</body></html>",
                {"Content-Type": "text/html"},
            ),
            Reply(200, {"totalSize": 1, "done": True, "records": [{"Id": "x"}] * 50}, cut_body=True),
            Reply(reset=True),
        )

    def expire_sessions(self) -> None:
        self.tokens.clear()

    # -- routes ---------------------------------------------------------------------------------
    def token(self, req) -> Reply:
        form = req.form()
        grant = form.get("grant_type")
        if grant == "client_credentials":
            if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
                return Reply(
                    400, {"error": "invalid_client", "error_description": "invalid client credentials"}
                )
        elif grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            try:
                claims = jwt.decode(
                    form.get("assertion", ""), certs=self.public_key_pem, audience=self.api.base_url
                )
            except Exception:
                return Reply(400, {"error": "invalid_grant", "error_description": "invalid assertion"})
            if claims.get("iss") != self.client_id or claims.get("sub") != self.username:
                return Reply(
                    400, {"error": "invalid_grant", "error_description": "user hasn't approved this consumer"}
                )
        else:
            return Reply(
                400, {"error": "unsupported_grant_type", "error_description": "grant type not supported"}
            )
        token = f"00DFAKE!session{len(self.tokens) + 1}xyz"
        self.tokens.append(token)
        return Reply(
            200,
            {
                "access_token": token,
                "instance_url": self.api.base_url,
                "id": f"{self.api.base_url}/id/00DFAKE/005FAKE",
                "token_type": "Bearer",
                "issued_at": "1767225600000",
                "signature": "fakeSignature=",
            },
        )

    def _refuse(self, req) -> Reply | None:
        auth = req.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth.removeprefix("Bearer ") not in self.tokens:
            return sf_errors(401, "INVALID_SESSION_ID", "Session expired or invalid")
        self.used += 1
        if self.used > self.daily_limit:
            return sf_errors(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        return None

    def _limit_header(self) -> dict[str, str]:
        return {"Sforce-Limit-Info": f"api-usage={self.used}/{self.daily_limit}"}

    def query(self, req, include_deleted: bool) -> Reply:
        if (bad := self._refuse(req)) is not None:
            return bad
        match = _SOQL.match(req.query.get("q", [""])[0])
        if not match:
            return sf_errors(400, "MALFORMED_QUERY", "unexpected token in the query")
        fields = [f.strip() for f in match["fields"].split(",")]
        since = dt.datetime.fromisoformat(match["since"].replace("Z", "+00:00")) if match["since"] else None

        def modified(r: dict[str, Any]) -> dt.datetime:
            return dt.datetime.strptime(r["SystemModstamp"], "%Y-%m-%dT%H:%M:%S.000%z")

        hits = sorted(
            (
                r
                for r in self.records[match["obj"]].values()
                if (include_deleted or not r["IsDeleted"]) and (since is None or modified(r) >= since)
            ),
            key=lambda r: (modified(r), r["Id"]),
        )
        out = [self._shape(match["obj"], r, fields) for r in hits]
        batch = int(req.headers.get("sforce-query-options", "batchSize=2000").split("=")[1])
        return self._page(out, 0, batch)

    def _shape(self, sobject: str, rec: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        shaped: dict[str, Any] = {
            "attributes": {"type": sobject, "url": f"/services/data/{VERSION}/sobjects/{sobject}/{rec['Id']}"}
        }
        for f in fields:
            if "." in f:
                rel, sub = f.split(".", 1)
                value = rec.get(f)
                shaped[rel] = None if value is None else {"attributes": {"type": rel}, sub: value}
            else:
                shaped[f] = rec.get(f)
        return shaped

    def _page(self, records: list[dict[str, Any]], start: int, batch: int) -> Reply:
        page = records[start : start + batch]
        body: dict[str, Any] = {
            "totalSize": len(records),
            "done": start + batch >= len(records),
            "records": page,
        }
        if not body["done"]:
            locator = f"/services/data/{VERSION}/query/01gFAKE{next(self._locators)}-{start + batch}"

            def more(req, records=records, nxt=start + batch) -> Reply:
                return self._refuse(req) or self._page(records, nxt, batch)

            self.api.route("GET", locator)(more)
            body["nextRecordsUrl"] = locator
        return Reply(200, body, self._limit_header())
