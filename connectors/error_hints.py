"""Adding what to check to an error from the HTTP layer (a variable's name, a setting)."""

from __future__ import annotations

from connectors.http import HttpError


def with_hint(exc: HttpError, hint: str) -> HttpError:
    """The same error (source, endpoint, status, host kept) with `hint` appended to its message."""
    return HttpError(
        f"{exc} {hint}",
        source=exc.source,
        endpoint=exc.endpoint,
        status=exc.status,
        attempts=exc.attempts,
        host=exc.host,
    )
