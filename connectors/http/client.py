"""The HTTP layer every connector uses: timeouts, retries with backoff and jitter, rate-limit
signals, a bounded number of attempts and a total time budget, and errors without secrets.

Why a small loop and not urllib3's `Retry` mounted on the session: the retry decision needs the
response *body* for some APIs (HubSpot's `policyName`, GA4's `RESOURCE_EXHAUSTED` text), a
per-API wait hint (Pipedrive's `x-ratelimit-reset`), a total time budget across attempts, and
retries on bodies that arrive truncated. `Retry` sees only status and headers before the body is
read and has no time budget. We still use urllib3's `Retry.parse_retry_after` for the
`Retry-After` header (seconds or an HTTP date), so that parsing is the library's.
"""

from __future__ import annotations

import json as jsonlib
import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
from urllib3.exceptions import InvalidHeader
from urllib3.util.retry import Retry

from connectors.http.errors import describe_body, host_of, network_cause
from connectors.http.redact import install_log_redaction, redact, register_secret

log = logging.getLogger("connectors.http")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryHint:
    """What an API-specific hook says about a failed response.

    wait: seconds to wait before the next attempt (None: use Retry-After or exponential backoff).
    retry: False when waiting cannot help (a daily quota is used up), so we fail at once.
    reason: a short explanation that goes into the log and the error.
    """

    wait: float | None = None
    retry: bool = True
    reason: str = ""


RetryHook = Callable[[requests.Response], RetryHint | None]


class HttpError(RuntimeError):
    """A request that failed for good. The message names source, endpoint, host and the cause in
    words (status and error message, or refused / timed out / DNS / TLS), never a secret."""

    def __init__(
        self,
        message: str,
        *,
        source: str,
        endpoint: str,
        status: int | None = None,
        attempts: int = 0,
        host: str = "",
    ) -> None:
        super().__init__(message)
        self.source = source
        self.endpoint = endpoint
        self.status = status
        self.attempts = attempts
        self.host = host


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(Retry().parse_retry_after(value.strip())))
    except (InvalidHeader, ValueError, TypeError):
        return None


class HttpClient:
    """A `requests.Session` with the retry policy every connector shares.

    `request()` returns the `requests.Response` of the first 2xx answer. Retried: 429, 500, 502,
    503, 504, connection errors (refused, reset), read timeouts and bodies cut short. Not retried:
    other 4xx (a bad request or a bad token does not get better by asking again).
    """

    def __init__(
        self,
        source: str,
        *,
        timeout: tuple[float, float] = (5, 30),
        max_attempts: int = 6,
        total_budget_s: float = 300,
        secrets: Iterable[str | None] = (),
        token_env: str | None = None,
        retry_hook: RetryHook | None = None,
        backoff_base_s: float = 1.0,
        backoff_max_s: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
        user_agent: str = "okr-scorer/0.1 (+connectors)",
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.source = source
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.total_budget_s = total_budget_s
        self.secrets = [s for s in secrets if s]
        for s in self.secrets:
            register_secret(s)
        install_log_redaction()
        self.token_env = token_env
        self.retry_hook = retry_hook
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self._sleep = sleep
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", user_agent)
        self.requests_sent = 0  # counted so tests and metadata can show how hard we hit an API

    # -- helpers ---------------------------------------------------------------------------
    def redact(self, value: Any) -> Any:
        return redact(value, self.secrets)

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter (AWS architecture blog), capped."""
        ceiling = min(self.backoff_max_s, self.backoff_base_s * (2 ** (attempt - 1)))
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not cryptography

    def _error(
        self, what: str, endpoint: str, status: int | None, attempts: int, host: str = "", auth: bool = False
    ) -> HttpError:
        msg = f"{self.source}: {endpoint}: {what}"
        if host:
            msg += f" (host {host})"
        if (auth or status in (401, 403)) and self.token_env:
            msg += f" - check the token in {self.token_env}"
        return HttpError(
            self.redact(msg),
            source=self.source,
            endpoint=endpoint,
            status=status,
            attempts=attempts,
            host=host,
        )

    def error(
        self, what: str, endpoint: str, url: str, status: int | None = None, *, auth: bool = False
    ) -> HttpError:
        """An `HttpError` for a problem a client finds in a 2xx answer (an error in the body,
        an unexpected shape), worded like the layer's own errors; `auth` when the answer says
        the token is wrong (the message then names its variable)."""
        return self._error(what, endpoint, status, 0, host_of(url), auth=auth)

    def _hint(self, resp: requests.Response, endpoint: str, host: str, attempt: int) -> RetryHint | None:
        """The API-specific hook's reading of a failed answer; a hook that raises is this
        source's error (named), never a crash of the run."""
        if self.retry_hook is None:
            return None
        try:
            return self.retry_hook(resp)
        except Exception as exc:  # any hook failure becomes this source's error
            raise self._error(
                f"HTTP {resp.status_code}: {describe_body(resp)}; the answer could not be read "
                f"({type(exc).__name__}: {exc})",
                endpoint,
                resp.status_code,
                attempt,
                host,
            ) from None

    # -- the request loop -----------------------------------------------------------------
    def request(
        self,
        method: str,
        url: str,
        *,
        endpoint: str,
        expect_json: bool = False,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        data: Any = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send one logical request, retrying transient failures. `endpoint` is a short human
        name used in logs and errors ("search contacts"). With `expect_json`, a 2xx body that is
        not valid JSON (cut short by a proxy) counts as a transient failure too."""
        start = time.monotonic()
        host = host_of(url)
        waited = 0.0
        last_problem = "no attempt made"
        last_status: int | None = None
        for attempt in range(1, self.max_attempts + 1):
            hint: RetryHint | None = None
            retry_after: float | None = None
            try:
                self.requests_sent += 1
                resp = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    headers=headers,
                    data=data,
                    timeout=self.timeout,
                    **kwargs,
                )
                last_status = resp.status_code
                if 200 <= resp.status_code < 300:
                    if expect_json:
                        try:
                            resp.json()
                        except (jsonlib.JSONDecodeError, requests.exceptions.JSONDecodeError) as exc:
                            raise _TruncatedBody(str(exc)) from exc
                    return resp
                last_problem = f"HTTP {resp.status_code}: {describe_body(resp)}"
                hint = self._hint(resp, endpoint, host, attempt)
                retry_after = parse_retry_after(resp.headers.get("Retry-After"))
                if hint is not None and hint.reason:
                    last_problem += f" ({hint.reason})"
                if resp.status_code not in RETRY_STATUSES and not (hint and hint.retry and hint.wait):
                    raise self._error(last_problem, endpoint, resp.status_code, attempt, host)
                if hint is not None and not hint.retry:
                    if retry_after is None:  # no word on when the quota returns: waiting cannot help
                        raise self._error(last_problem, endpoint, resp.status_code, attempt, host)
                    # A quota that says when it returns: wait for it if that fits the time budget.
                    hint = RetryHint(wait=retry_after, reason=hint.reason)
            except HttpError:
                raise
            except _TruncatedBody as exc:
                last_status = None
                last_problem = f"the answer is not valid JSON (cut short?): {exc}"
            except requests.exceptions.RequestException as exc:
                # refused, timed out, DNS, TLS, reset, cut off: said in words
                last_status = None
                last_problem = network_cause(exc, self.timeout)

            if attempt == self.max_attempts:
                break
            if hint is not None and hint.wait is not None:
                wait = hint.wait
            elif retry_after is not None:
                wait = retry_after
            else:
                wait = self._backoff(attempt)
            elapsed = max(time.monotonic() - start, waited)
            if elapsed + wait > self.total_budget_s:
                raise self._error(
                    f"{last_problem}; gave up after {attempt} attempt(s): waiting {wait:.1f} s more "
                    f"would exceed the time budget of {self.total_budget_s:.0f} s",
                    endpoint,
                    last_status,
                    attempt,
                    host,
                )
            log.warning(
                "%s",
                self.redact(
                    f"{self.source}: {endpoint}: attempt {attempt}/{self.max_attempts} "
                    f"failed ({last_problem}); retrying in {wait:.2f} s"
                ),
            )
            self._sleep(wait)
            waited += wait
        raise self._error(
            f"{last_problem}; gave up after {self.max_attempts} attempts",
            endpoint,
            last_status,
            self.max_attempts,
            host,
        )

    def request_object(self, method: str, url: str, *, endpoint: str, **kwargs: Any) -> dict[str, Any]:
        """`request(..., expect_json=True)` for APIs whose answers are JSON objects: the decoded
        object, or an `HttpError` naming what came instead (a list, a string, null)."""
        resp = self.request(method, url, endpoint=endpoint, expect_json=True, **kwargs)
        body = resp.json()
        if not isinstance(body, dict):
            shape = "null" if body is None else f"a JSON {type(body).__name__}"
            raise self.error(
                f"expected a JSON object, got {shape}: {describe_body(resp)}", endpoint, url, resp.status_code
            )
        return body


class _TruncatedBody(Exception):
    pass
