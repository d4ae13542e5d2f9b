"""One located-config reader: the same wrong value gets the same kind of message, naming file, line and key,
from a TOML source configuration, a YAML time-rules file and a YAML designed journey."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from eventlogs.config import load_source_config
from eventlogs.errors import ConfigError
from eventlogs.located_config import read_toml, read_yaml
from mining.design.spec import read_journey_spec
from mining.scope.time_rules import load_time_rules

JOURNEY = "name: NAME\njourney_type: t\nend_to_end_norm: 10d\nstages:\n  - {name: a, department: D, activities: [A]}\n"
RULES = "calendars:\n  shop:\n    timezone: TIMEZONE\n    hours: {mon-fri: '08:00-17:00'}\n"
SOURCES = '[organisation]\nname = NAME\n\n[sources.shop]\nkind = "ocel2_json"\n' + (
    'path = "log.jsonocel"\ncase_object_type = "Order"\n'
)


def _message(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ConfigError) as raised:
        if name.endswith(".toml"):
            load_source_config(path)
        elif name.startswith("rules"):
            load_time_rules(path)
        else:
            read_journey_spec(path)
    return str(raised.value)


def test_a_list_where_text_is_required_reads_alike_in_toml_and_yaml(tmp_path: Path) -> None:
    toml = _message(tmp_path, "sources.toml", SOURCES.replace("NAME", '["Acme"]'))
    rules = _message(tmp_path, "rules.yaml", RULES.replace("TIMEZONE", "[UTC]"))
    journey = _message(tmp_path, "journey.yaml", JOURNEY.replace("NAME", "[Laptop]"))
    assert toml == f"{tmp_path / 'sources.toml'}:2: [organisation] key 'name' must be a non-empty string, not ['Acme']"
    assert rules == f"{tmp_path / 'rules.yaml'}:3: calendars.shop.timezone: must be a non-empty string, not ['UTC']"
    assert journey == f"{tmp_path / 'journey.yaml'}:1: name: must be a non-empty string, not ['Laptop']"


def test_an_unknown_key_reads_alike_in_toml_and_yaml(tmp_path: Path) -> None:
    toml = _message(tmp_path, "sources.toml", SOURCES.replace("NAME", '"Acme"') + "colour = 'red'\n")
    rules = _message(tmp_path, "rules.yaml", RULES.replace("TIMEZONE", "UTC") + "    colour: red\n")
    journey = _message(tmp_path, "journey.yaml", JOURNEY.replace("NAME", "Laptop") + "colour: red\n")
    assert re.match(rf"{re.escape(str(tmp_path))}/sources\.toml:8: \[sources\.shop\] unknown key 'colour' \(", toml)
    assert re.match(
        rf"{re.escape(str(tmp_path))}/rules\.yaml:5: calendars\.shop\.colour: unknown key 'colour' \(", rules
    )
    assert re.match(rf"{re.escape(str(tmp_path))}/journey\.yaml:6: colour: unknown key 'colour' \(allowed: ", journey)


def test_a_missing_key_is_reported_at_its_table(tmp_path: Path) -> None:
    toml = _message(
        tmp_path,
        "sources.toml",
        SOURCES.replace("NAME", '"Acme"').replace('path = "log.jsonocel"\ncase_object_type = "Order"\n', ""),
    )
    journey = _message(tmp_path, "journey.yaml", JOURNEY.replace("NAME", "Laptop").replace("department: D, ", ""))
    assert "sources.toml:4: [sources.shop] key 'case_object_type' is missing" in toml
    assert "journey.yaml:5: stages[1]: missing 'department'" in journey


def test_yaml_scalars_are_text_as_written_and_toml_lines_are_found(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("holidays: [2026-04-06, 2026-13-01]\nNo: 08\n")
    located = read_yaml(tmp_path / "a.yaml", "test file")
    assert located.text_list("holidays") == ["2026-04-06", "2026-13-01"]
    assert located.text("No") == "08"
    (tmp_path / "a.toml").write_text('[a]\nx = 1\n\n[a.b]\ny = "z"\n')
    inner = read_toml(tmp_path / "a.toml", "test file").section("a").section("b")
    assert inner.at("y") == f"{tmp_path / 'a.toml'}:5"
    with pytest.raises(ConfigError, match=r"a\.toml:2: \[a\] key 'x' must be a number of at most 0, not 1"):
        read_toml(tmp_path / "a.toml", "test file").section("a").number(
            "x", 0, at_most=0, expected="must be a number of at most 0"
        )
