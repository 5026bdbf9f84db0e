"""GA4 access: a ready access token, or a service-account key exchanged for one.

The JWT is built and signed with google-auth's public `crypt`/`jwt` helpers; the token request
itself goes through our HttpClient so it gets the same retries and redaction as every call.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from google.auth import crypt, jwt

from connectors.http import HttpClient, HttpError, register_secret

SCOPE = "https://www.googleapis.com/auth/analytics.readonly"


class GA4AuthError(RuntimeError):
    pass


def load_service_account(value: str, env_name: str) -> dict:
    """The key from the variable: the JSON itself, or a path to the JSON file."""
    text = value.strip()
    if not text.startswith("{"):
        path = Path(text)
        if not path.is_file():
            raise GA4AuthError(
                f"ga4: {env_name} is neither service-account JSON nor a path to an existing file"
            )
        text = path.read_text(encoding="utf-8")
    try:
        info = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GA4AuthError(
            f"ga4: {env_name}: the service-account key is not valid JSON (line {exc.lineno})"
        ) from None
    missing = [k for k in ("client_email", "private_key") if not info.get(k)]
    if missing:
        raise GA4AuthError(f"ga4: {env_name}: the service-account key lacks {', '.join(missing)}")
    register_secret(info["private_key"])
    return info


def exchange_service_account(http: HttpClient, info: dict, token_url: str, env_name: str) -> str:
    """POST a signed JWT (RFC 7523 bearer grant) to the token endpoint; returns the access token."""
    signer = crypt.RSASigner.from_service_account_info(info)
    now = int(time.time())
    claims = {"iss": info["client_email"], "scope": SCOPE, "aud": token_url, "iat": now, "exp": now + 3600}
    assertion = jwt.encode(signer, claims).decode("ascii")
    register_secret(assertion)
    try:
        resp = http.request(
            "POST",
            token_url,
            endpoint="token exchange",
            data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion},
            expect_json=True,
        )
    except HttpError as exc:
        raise GA4AuthError(f"{exc} (service-account key in {env_name})") from None
    token = resp.json().get("access_token")
    if not token:
        raise GA4AuthError(
            f"ga4: token exchange: no access_token in the answer (service-account key in {env_name})"
        )
    register_secret(token)
    http.secrets.append(token)
    return token
