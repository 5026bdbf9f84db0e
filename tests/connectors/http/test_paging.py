"""The shared paginator: when offset and cursor paging stop, and that a looping API is an error."""

from __future__ import annotations

import pytest

from connectors.http.paging import Page, PagingError, cursor_pages, offset_pages


def test_offset_pages_stop_at_the_announced_total() -> None:
    asked: list[int] = []

    def fetch(offset: int) -> Page[int]:
        asked.append(offset)
        return Page(list(range(offset, min(offset + 10, 25))), total=25)

    assert list(offset_pages(fetch, page_size=10, what="t")) == list(range(25))
    assert asked == [0, 10, 20]


def test_offset_pages_without_a_total_stop_at_a_short_or_empty_page() -> None:
    data = list(range(20))
    asked: list[int] = []

    def fetch(offset: int) -> Page[int]:
        asked.append(offset)
        return Page(data[offset : offset + 10])

    assert list(offset_pages(fetch, page_size=10, what="t")) == data
    assert asked == [0, 10, 20]  # the third (empty) page says the second full one was the last
    assert list(offset_pages(lambda o: Page([1, 2, 3][o : o + 5]), page_size=5, what="t")) == [1, 2, 3]


def test_cursor_pages_follow_the_cursor_until_there_is_none() -> None:
    pages = {None: Page([1, 2], next="b"), "b": Page([3], next="c"), "c": Page([], next="")}
    assert list(cursor_pages(lambda c: pages[c], what="t")) == [1, 2, 3]


def test_a_repeated_cursor_is_an_error_not_an_endless_loop() -> None:
    with pytest.raises(
        PagingError, match=r"^hubspot: list deals: the API returned the same next-page cursor"
    ):
        list(cursor_pages(lambda c: Page([1], next="same"), what="hubspot: list deals"))
