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
    header = broken.read_text().splitlines().index("[sources.ticketing]") + 1
    with pytest.raises(ConfigError, match=rf"sources\.toml:{header}: \[sources\.ticketing\] key 'path' is missing"):
        load_source_config(broken)


def test_unknown_kind_and_bad_correlation(tmp_path: Path) -> None:
    broken = tmp_path / "sources.toml"
    broken.write_text(DEMO_SOURCE_CONFIG.read_text().replace('kind = "tracking_csv"', 'kind = "ftp"'))
    kind_line = broken.read_text().splitlines().index('kind = "ftp"') + 1
    with pytest.raises(ConfigError, match=rf"sources\.toml:{kind_line}: \[sources\.logistics\] kind 'ftp' is not one"):
        load_source_config(broken)
    broken.write_text(
        DEMO_SOURCE_CONFIG.read_text().replace('correlates_with = "ticketing"', 'correlates_with = "crm"')
    )
    with pytest.raises(ConfigError, match="correlates_with 'crm' names no source"):
        load_source_config(broken)


def test_line_of_nested_and_inline_keys() -> None:
    from eventlogs.located_config.toml_lines import line_of

    text = DEMO_SOURCE_CONFIG.read_text()
    lines = text.splitlines()
    assert lines[line_of(text, "sources.logistics", "path") - 1] == 'path = "logistics_tracking.csv"'
    dsp = line_of(text, "sources.logistics.event_codes.DSP", "department")
    assert lines[dsp - 1].startswith("DSP = {")
    assert (
        lines[line_of(text, "sources.ticketing.departments") - 1]
        == "[sources.ticketing.departments]  # assignment group -> department"
    )
