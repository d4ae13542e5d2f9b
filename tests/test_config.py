"""Source configuration errors name the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventlogs.config import load_source_config
from eventlogs.errors import ConfigError
from flows.paths import DEMO_SOURCE_CONFIG


def test_demo_config_reads(tmp_path: Path) -> None:
    config = load_source_config(DEMO_SOURCE_CONFIG, tmp_path)
    assert set(config.sources) == {"ticketing", "logistics"}
    assert config.sources["logistics"].event_codes["DSP"].department == "Carrier"


def test_missing_key_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "sources.toml"
    broken.write_text(DEMO_SOURCE_CONFIG.read_text().replace('path = "ticketing.sqlite"\n', ""))
    with pytest.raises(ConfigError, match=r"sources\.toml: \[\.sources\.ticketing\] key 'path'"):
        load_source_config(broken)


def test_unknown_kind_and_bad_correlation(tmp_path: Path) -> None:
    broken = tmp_path / "sources.toml"
    broken.write_text(DEMO_SOURCE_CONFIG.read_text().replace('kind = "tracking_csv"', 'kind = "ftp"'))
    with pytest.raises(ConfigError, match="kind 'ftp' is not one of"):
        load_source_config(broken)
    broken.write_text(
        DEMO_SOURCE_CONFIG.read_text().replace('correlates_with = "ticketing"', 'correlates_with = "crm"')
    )
    with pytest.raises(ConfigError, match="correlates_with 'crm' names no source"):
        load_source_config(broken)
