"""sources.yml validation: clear errors naming file and key; the repo's demo file is valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.config import SourcesError, load_sources, secret_from_env

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "sources.yml"
    p.write_text(text)
    return p


def test_demo_sources_need_no_network_or_credentials() -> None:
    cfg = load_sources(REPO / "sources.yml", REPO)
    assert cfg.enabled_api_sources() == []
    assert cfg.exports.enabled and cfg.exports.folder == REPO / "demo" / "exports"
    assert cfg.lookback_days == 3


def test_missing_file_means_nothing_enabled(tmp_path: Path) -> None:
    cfg = load_sources(tmp_path / "sources.yml")
    assert cfg.enabled_api_sources() == [] and not cfg.exports.enabled


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hubspot:\n  enabled: true\n  tokn_env: X\n", "hubspot.tokn_env: unknown key"),
        ("hubspot:\n  token_env: my-token\n", "hubspot.token_env: String should match pattern"),
        (
            "matomo:\n  enabled: true\n  base_url: ftp://x\n",
            "matomo.base_url: must start with http:// or https://",
        ),
        ("matomo:\n  enabled: true\n  site_id: '1'\n", "matomo.base_url: required when matomo is enabled"),
        ("ga4:\n  enabled: true\n", "ga4.property_id: required when ga4 is enabled"),
        ("lookback_days: 0\n", "lookback_days: Input should be greater than or equal to 1"),
        ("exports:\n  timezone: Mars/Base\n", "exports.timezone: unknown time zone 'Mars/Base'"),
        ("- just\n- a list\n", "expected a mapping"),
        ("hubspot: [unclosed\n", "not valid YAML"),
    ],
)
def test_errors_name_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SourcesError) as err:
        load_sources(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_base_urls_are_overridable_and_relative_folder_resolves(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "exports: {enabled: true, folder: drops}\nhubspot: {enabled: true, base_url: 'http://127.0.0.1:9/'}\n",
    )
    cfg = load_sources(path)
    assert cfg.hubspot.base_url == "http://127.0.0.1:9" and cfg.exports.folder == tmp_path / "drops"


def test_secret_from_env_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OKR_TEST_TOKEN", raising=False)
    with pytest.raises(SourcesError, match="hubspot: the environment variable OKR_TEST_TOKEN is not set"):
        secret_from_env("OKR_TEST_TOKEN", "hubspot")
    monkeypatch.setenv("OKR_TEST_TOKEN", "abc")
    assert secret_from_env("OKR_TEST_TOKEN", "hubspot") == "abc"
