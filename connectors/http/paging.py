"""Pagination, written once: offset/limit, cursor and page-token (or next-URL) paging.

Each client supplies only `fetch`, one page request made through its `HttpClient` (so every page
gets the shared retries, time budget, Retry-After handling and redaction), returning a `Page`.
The loop here decides when to stop, and refuses to loop forever on an API that repeats a cursor
or keeps answering with full pages past the total it announced.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

MAX_PAGES = 100_000  # far beyond any real pull; a bug in an API's cursor must not hang the night


class PagingError(RuntimeError):
    """The API's paging went wrong (a repeated cursor, endless pages); names source and endpoint."""


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results.

    items: the records of this page, in the API's order.
    next: the cursor, page token or next-page URL of the following page; None or "" on the last
        page (cursor and page-token paging).
    total: the total number of records the query has, when the API says (offset paging).
    """

    items: Sequence[T]
    next: str | None = None
    total: int | None = None


def offset_pages(fetch: Callable[[int], Page[T]], *, page_size: int, what: str) -> Iterator[T]:
    """Records of `fetch(offset)` for offset 0, n, 2n, ...: stops at an empty page, at the total
    the API announced, or (no total) at a short page. `what` names source and endpoint for errors
    ("ga4: runReport")."""
    offset = 0
    for _ in range(MAX_PAGES):
        page = fetch(offset)
        yield from page.items
        offset += len(page.items)
        if not page.items:
            return
        if page.total is not None:
            if offset >= page.total:
                return
        elif len(page.items) < page_size:
            return
    raise PagingError(f"{what}: still more pages after {MAX_PAGES}; stopped")


def cursor_pages(fetch: Callable[[str | None], Page[T]], *, what: str) -> Iterator[T]:
    """Records of `fetch(None)`, then `fetch(page.next)` while the API hands out a next cursor
    (a cursor, a page token, an `after` value or a next-page URL). A cursor seen before means
    the API would send us round in circles: that is an error, not an endless loop."""
    cursor: str | None = None
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        page = fetch(cursor)
        yield from page.items
        cursor = page.next or None
        if cursor is None:
            return
        if cursor in seen:
            raise PagingError(f"{what}: the API returned the same next-page cursor twice; stopped paging")
        seen.add(cursor)
    raise PagingError(f"{what}: still more pages after {MAX_PAGES}; stopped")


# Page tokens (Google's nextPageToken) and next-page URLs (Salesforce's nextRecordsUrl) are
# cursors by another name.
page_token_pages = cursor_pages
