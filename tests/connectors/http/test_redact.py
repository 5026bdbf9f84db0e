"""The one redaction function: URLs, next-page links, headers, free text, registered secrets."""

from __future__ import annotations

from connectors.http import redact, register_secret


def test_url_parameters_are_masked() -> None:
    for param in ("api_token", "token_auth", "access_token", "hapikey"):
        url = f"https://x.example/api?limit=5&{param}=abc123SECRET&after=7"
        out = redact(url)
        assert "abc123SECRET" not in out
        assert f"{param}=***" in out and "limit=5" in out and "after=7" in out


def test_next_page_links_inside_json_text_are_masked() -> None:
    body = '{"paging":{"next":"https://graph.facebook.com/v21.0/act_1/insights?access_token=EAAB999zzz&after=MjQZD"}}'
    out = redact(body)
    assert "EAAB999zzz" not in out and "after=MjQZD" in out


def test_url_encoded_and_json_forms() -> None:
    assert "s3cr3tvalue" not in redact("next=%2Fapi%3Fapi_token%3Ds3cr3tvalue")
    assert "s3cr3tvalue" not in redact('{"token_auth": "s3cr3tvalue"}')


def test_headers_are_masked() -> None:
    headers = {"Authorization": "Bearer pat-na1-xyz", "x-api-token": "abc", "Accept": "application/json"}
    out = redact(headers)
    assert out == {"Authorization": "***", "x-api-token": "***", "Accept": "application/json"}


def test_free_text_bearer_and_header_lines() -> None:
    text = "sent Authorization: Bearer ya29.c.abcdefghijk and x-api-token: 42abcdef"
    out = redact(text)
    assert "ya29.c.abcdefghijk" not in out and "42abcdef" not in out


def test_registered_secrets_are_masked_anywhere() -> None:
    register_secret("plain-secret-value-77")
    assert redact("the value plain-secret-value-77 appeared") == "the value *** appeared"
    assert redact(["x plain-secret-value-77"]) == ["x ***"]


def test_ordinary_text_is_left_alone() -> None:
    text = "ga4: runReport: HTTP 500: internal error; check the token in GA4_ACCESS_TOKEN"
    assert redact(text) == text
