"""Configuration mistakes are errors naming file, line and key: an unknown key in any section (with the
closest valid key when it is a typo), a time zone that is no IANA zone, a CSV separator that is no single
character; a CSV file split on another separator says which one to set."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from eventlogs.config import load_source_config
from eventlogs.errors import ConfigError, SourceError
from eventlogs.pipeline import extract_and_load
from mining.design.spec import read_journey_spec
from mining.scope.time_rules import load_time_rules
from tests.csv_logs import PLAIN_CONFIG, query

DEMO_CONFIG = Path(__file__).parents[2] / "eventlogs" / "demo" / "demo_sources.toml"
RULES = "calendars:\n  shop:\n    timezone: Europe/Amsterdam\n    hours: {mon-fri: '08:00-17:00'}\n"
JOURNEY = (
    "name: Laptop\njourney_type: t\nend_to_end_norm: 10d\nstages:\n  - {name: a, department: D, activities: [A]}\n"
)


def _error(path: Path, text: str, read: object = load_source_config) -> str:
    path.write_text(text)
    with pytest.raises(ConfigError) as raised:
        read(path)  # type: ignore[operator]
    return str(raised.value)


def _line(text: str, written: str) -> int:
    """The 1-based line on which `written` stands in `text` (worked out from the text, not the reader)."""
    return next(number for number, line in enumerate(text.splitlines(), 1) if written in line)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # the source table, and its [fields] table: `departement` was silently a log without departments
        ('timezone = "Europe/Amsterdam"', 'timezon = "Europe/Amsterdam"', "[sources.log] unknown key 'timezon' "
         "(did you mean 'timezone'?)"),
        ('resource = "who"', 'departement = "who"', "[sources.log.fields] unknown key 'departement' "
         "(did you mean 'department'?)"),
        # a table no reader opens is an unknown key of its parent
        ("[sources.log.fields]", '[sources.log.case]\npath = "c.csv"\n[sources.log.fields]',
         "[sources.log] unknown key 'case' (did you mean 'cases'?)"),
        # no close key: the keys there are, the separator among them
        ('timezone = "Europe/Amsterdam"', 'delimiter = ";"', "[sources.log] unknown key 'delimiter' (allowed: "),
    ],
)  # fmt: skip
def test_an_unknown_key_of_a_csv_source_names_line_and_closest_key(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    from tests.csv_logs import CONFIG

    text = CONFIG.replace(old, new)
    message = _error(tmp_path / "log.toml", text)
    typo = new.splitlines()[0].split(" =")[0].strip("[]")
    line = _line(text, typo)
    assert message.startswith(f"{tmp_path / 'log.toml'}:{line}: {expected}"), message
    if "allowed" in expected:
        assert "separator" in message and "timezone" in message


def test_unknown_keys_of_the_other_kinds_and_of_the_file(tmp_path: Path) -> None:
    demo = DEMO_CONFIG.read_text()
    # a ServiceNow source
    text = demo.replace('approval_team = "Line Management"', 'approval_team = "Line Management"\napproval_teem = "x"')
    message = _error(tmp_path / "a.toml", text)
    line = _line(text, "approval_teem")
    assert f"a.toml:{line}: [sources.ticketing] unknown key 'approval_teem' (did you mean 'approval_team'?)" in message
    # a tracking source: a misspelt required key is named in the missing one's error
    text = demo.replace(
        'RCV = { activity = "Goods received", department', 'RCV = { activity = "Goods received", departmnt'
    )
    message = _error(tmp_path / "b.toml", text)
    line = _line(text, "RCV =")
    assert message.endswith(
        f"b.toml:{line}: [sources.logistics.event_codes.RCV] key 'department' is missing (is 'departmnt' a typo of it?)"
    )
    # the file's own tables and the organisation table
    text = demo.replace("[sources.logistics]", "[source.logistics]")
    message = _error(tmp_path / "c.toml", text)
    assert f"c.toml:{_line(text, '[source.logistics]')}: unknown key 'source' (did you mean 'sources'?)" in message
    text = demo.replace('name = "Demo organisation', 'nme = "Demo organisation')
    message = _error(tmp_path / "d.toml", text)
    line = _line(text, "[organisation]")
    assert message.endswith(f"d.toml:{line}: [organisation] key 'name' is missing (is 'nme' a typo of it?)")


def test_a_separator_is_only_known_to_csv_sources(tmp_path: Path) -> None:
    from tests.csv_logs import CONFIG

    text = CONFIG.replace('kind = "csv_event_log"', 'kind = "xes"\nseparator = ";"')
    message = _error(tmp_path / "log.toml", text)
    assert f"log.toml:{_line(text, 'separator')}: [sources.log] unknown key 'separator'" in message


def test_unknown_keys_in_time_rules_and_design_name_line_and_closest_key(tmp_path: Path) -> None:
    rules = RULES + "    holiday: [2026-04-06]\n"
    message = _error(tmp_path / "rules.yaml", rules, load_time_rules)
    assert message == (
        f"{tmp_path / 'rules.yaml'}:5: calendars.shop.holiday: unknown key 'holiday' (did you mean 'holidays'?)"
    )
    journey = JOURNEY + "  - {name: b, departmen: E, activities: [B]}\n"
    message = _error(tmp_path / "journey.yaml", journey, read_journey_spec)
    assert message == (
        f"{tmp_path / 'journey.yaml'}:6: stages[2].departmen: unknown key 'departmen' (did you mean 'department'?)"
    )
    message = _error(tmp_path / "journey2.yaml", JOURNEY + "colour: red\n", read_journey_spec)
    assert message.startswith(f"{tmp_path / 'journey2.yaml'}:6: colour: unknown key 'colour' (allowed: ")
    assert "stages" in message and "did you mean" not in message


def test_a_time_zone_must_be_an_iana_zone(tmp_path: Path) -> None:
    from tests.csv_logs import CONFIG

    text = CONFIG.replace("Europe/Amsterdam", "Mars/Olympus")
    message = _error(tmp_path / "log.toml", text)
    assert message == (
        f"{tmp_path / 'log.toml'}:{_line(text, 'Mars')}: [sources.log] key 'timezone' must be an IANA time zone "
        "(such as Europe/Amsterdam), not 'Mars/Olympus'"
    )
    message = _error(tmp_path / "rules.yaml", RULES.replace("Europe/Amsterdam", "Mars/Olympus"), load_time_rules)
    assert message.startswith(f"{tmp_path / 'rules.yaml'}:3: calendars.shop.timezone: must be an IANA time zone")


# The same three events as tests.csv_logs.PLAIN_CONFIG reads, separated by ';' (c1 has two events, c2 one).
SEMICOLON_LOG = "case;activity;time;who\nc1;Open;2026-03-02 09:00:00;ann\nc1;Close;2026-03-02 11:30:00;bob\n" + (
    "c2;Open;2026-03-03 08:00:00;ann\n"
)


def test_a_semicolon_file_loads_with_its_separator_and_says_so_without(tmp_path: Path) -> None:
    (tmp_path / "log.csv").write_text(SEMICOLON_LOG)
    config = tmp_path / "log.toml"
    config.write_text(PLAIN_CONFIG)
    with pytest.raises((ConfigError, SourceError), match="the header looks separated by ';': set separator = ';'"):
        extract_and_load(config, tmp_path / "store.duckdb")
    config.write_text(PLAIN_CONFIG.replace('journey_type = "ticket"', 'journey_type = "ticket"\nseparator = ";"'))
    (result,) = extract_and_load(config, tmp_path / "store.duckdb")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 3, 0)
    assert query(tmp_path / "store.duckdb", "SELECT journey_id, count(*) FROM events GROUP BY 1 ORDER BY 1") == [
        ("c1", 2),
        ("c2", 1),
    ]


def test_a_tab_separator_and_a_separator_that_is_no_single_character(tmp_path: Path) -> None:
    (tmp_path / "log.csv").write_text(SEMICOLON_LOG.replace(";", "\t"))
    config = tmp_path / "log.toml"
    config.write_text(PLAIN_CONFIG)
    with pytest.raises((ConfigError, SourceError), match=re.escape('separated by tabs: set separator = "\\t"')):
        extract_and_load(config, tmp_path / "store.duckdb")
    config.write_text(PLAIN_CONFIG.replace('journey_type = "ticket"', 'journey_type = "ticket"\nseparator = "\\t"'))
    (result,) = extract_and_load(config, tmp_path / "store.duckdb")
    assert (result.rows_read, result.rows_loaded) == (3, 3)
    text = PLAIN_CONFIG.replace('journey_type = "ticket"', 'journey_type = "ticket"\nseparator = ";;"')
    message = _error(config, text)
    assert f"log.toml:{_line(text, 'separator')}: [sources.log] key 'separator' must be one character" in message
