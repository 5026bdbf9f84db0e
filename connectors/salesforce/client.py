"""Salesforce REST API: an OAuth token (client-credentials or JWT bearer flow) and SOQL queries
through `queryAll` (deleted records included, flagged `IsDeleted`), paged by `nextRecordsUrl`.

Error bodies are JSON *lists* (`[{"message": ..., "errorCode": ...}]`); an expired session (401
INVALID_SESSION_ID) gets one new token, the org's daily request limit (403
REQUEST_LIMIT_EXCEEDED) stops the load at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from google.auth import crypt, jwt

from connectors.error_hints import with_hint
from connectors.http import HttpClient, HttpError, RetryHint, register_secret
from connectors.http.errors import describe_body, json_body
from connectors.http.paging import Page, cursor_pages
from connectors.registry import SourcesError

log = logging.getLogger("connectors.salesforce")
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def salesforce_retry_hook(resp: requests.Response) -> RetryHint | None:
    """REST errors are a JSON list of {message, errorCode}: name the code, and stop at once when
    the org's daily request limit is used up (asking again cannot help today)."""
    body = json_body(resp)
    first = body[0] if isinstance(body, list) and body else body
    code = str(first.get("errorCode") or "") if isinstance(first, dict) else ""
    if code == "REQUEST_LIMIT_EXCEEDED":
        return RetryHint(retry=False, reason=f"{code}: the org's 24-hour API request limit is used up")
    return RetryHint(reason=code) if code else None


def load_private_key(value: str, env_name: str) -> str:
    """The PEM itself, or a path to a PEM file."""
    text = value.strip()
    if "-----BEGIN" not in text:
        path = Path(text)
        if not path.is_file():
            raise SourcesError(f"salesforce: {env_name} is neither a PEM private key nor a path to one")
        text = path.read_text(encoding="utf-8")
    register_secret(text)
    return text


class SalesforceClient:
    def __init__(
        self,
        http: HttpClient,
        api_version: str,
        authenticate: Callable[[], tuple[str, str]],
        batch_size: int = 2000,
    ):
        """`authenticate()` returns (access_token, instance_url); it is called again once when
        the session expires mid-load."""
        self.http = http
        self.api_version = api_version
        self._authenticate = authenticate
        self.batch_size = batch_size
        self.token, self.instance_url = authenticate()

    def _get(self, path_or_url: str, endpoint: str) -> dict[str, Any]:
        url = path_or_url if path_or_url.startswith("http") else f"{self.instance_url}{path_or_url}"
        for attempt in (1, 2):
            headers = {
                "Authorization": f"Bearer {self.token}",
                "Sforce-Query-Options": f"batchSize={self.batch_size}",
            }
            try:
                resp = self.http.request("GET", url, endpoint=endpoint, headers=headers, expect_json=True)
            except HttpError as exc:
                if exc.status == 401 and attempt == 1 and "INVALID_SESSION_ID" in str(exc):
                    log.info("salesforce: %s: the session expired; asking for a new token", endpoint)
                    self.token, self.instance_url = self._authenticate()
                    continue
                raise
            usage = resp.headers.get("Sforce-Limit-Info")
            if usage:
                log.debug("salesforce: %s", usage)
            body = json_body(resp)
            if not isinstance(body, dict):
                raise self.http.error(
                    f"unexpected answer: expected a JSON object, got {describe_body(resp)}",
                    endpoint,
                    url,
                    resp.status_code,
                )
            return body
        raise AssertionError("unreachable")

    def query_all(self, soql: str, what: str) -> Iterator[dict[str, Any]]:
        """Every record of `soql`, deleted ones included, following `nextRecordsUrl`."""
        endpoint = f"queryAll {what}"

        def fetch(next_url: str | None) -> Page[dict[str, Any]]:
            path = next_url or f"/services/data/{self.api_version}/queryAll?q={quote(soql, safe='')}"
            page = self._get(path, endpoint)
            return Page(
                page.get("records") or [], None if page.get("done", True) else page.get("nextRecordsUrl")
            )

        return cursor_pages(fetch, what=f"salesforce: {endpoint}")


def _token(http: HttpClient, token_url: str, data: dict[str, str], env_names: str) -> tuple[str, str]:
    try:
        body = http.request_object("POST", token_url, endpoint="token", data=data)
    except HttpError as exc:
        raise with_hint(exc, f"(connected app credentials in {env_names})") from None
    token, instance = body.get("access_token"), body.get("instance_url")
    if not token or not instance:
        raise http.error(
            f"the answer lacks access_token or instance_url (check {env_names})", "token", token_url
        )
    register_secret(token)
    http.secrets.append(token)
    return token, str(instance).rstrip("/")


def client_credentials(
    http: HttpClient, base_url: str, client_id: str, client_secret: str, env_names: str
) -> Callable[[], tuple[str, str]]:
    """The OAuth 2.0 client-credentials flow (the connected app runs as its integration user)."""
    data = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
    return lambda: _token(http, f"{base_url}/services/oauth2/token", data, env_names)


def jwt_bearer(
    http: HttpClient, base_url: str, client_id: str, username: str, private_key: str, env_names: str
) -> Callable[[], tuple[str, str]]:
    """The OAuth 2.0 JWT bearer flow: a JWT (iss = consumer key, sub = username, aud = the login
    URL, exp within 3 minutes) signed RS256 with the certificate's key, using google-auth's signer."""
    signer = crypt.RSASigner.from_string(private_key)

    def authenticate() -> tuple[str, str]:
        now = int(time.time())
        claims = {"iss": client_id, "sub": username, "aud": base_url, "iat": now, "exp": now + 180}
        assertion = jwt.encode(signer, claims).decode("ascii")
        register_secret(assertion)
        data = {"grant_type": JWT_GRANT, "assertion": assertion}
        return _token(http, f"{base_url}/services/oauth2/token", data, env_names)

    return authenticate
