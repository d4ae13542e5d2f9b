"""Case attributes from a second file, joined on the case id, land in journeys.attributes and choose a
pilot group; rows without a journey are counted, a repeated case id and an unknown column are errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from eventlogs.errors import ConfigError, SourceError
from eventlogs.pipeline import extract_and_load
from flows.cli import app
from tests.csv_logs import PLAIN_CONFIG, query

# Three journeys: c1 opened 2 March (two events), c2 opened 3 March, c3 opened 4 March.
LOG = """case,activity,time,who
c1,Open,2026-03-02 09:00:00,ann
c1,Close,2026-03-02 11:00:00,bob
c2,Open,2026-03-03 09:00:00,ann
c3,Open,2026-03-04 09:00:00,ann
"""
# Priority 4 for c1 and c3; c9 is no journey of the log and the last row has no case id: 2 rows without one.
CASES = """case;priority;category
c1;4;hardware
c2;2;software
c3;4;
c9;1;hardware
;3;software
"""
CASE_TABLE = '\n[sources.log.cases]\npath = "cases.csv"\ncase_id = "case"\nseparator = ";"\n'


def _load(tmp_path: Path, cases: str = CASES, table: str = CASE_TABLE) -> Path:
    (tmp_path / "log.csv").write_text(LOG)
    (tmp_path / "cases.csv").write_text(cases)
    (tmp_path / "log.toml").write_text(PLAIN_CONFIG + table)
    store = tmp_path / "store.duckdb"
    extract_and_load(tmp_path / "log.toml", store)
    return store


def test_case_attributes_land_in_the_journeys_and_rows_without_journey_are_counted(tmp_path: Path) -> None:
    store = _load(tmp_path)
    rows = query(store, "SELECT journey_id, attributes FROM journeys ORDER BY journey_id")
    assert [(journey, json.loads(attributes)) for journey, attributes in rows] == [
        ("c1", {"priority": "4", "category": "hardware"}),
        ("c2", {"priority": "2", "category": "software"}),
        ("c3", {"priority": "4", "category": None}),  # a blank cell is no value
    ]
    count = query(store, "SELECT count FROM quality_checks WHERE check_name = 'case_table_rows_without_journey'")
    assert count == [(2,)]


def test_only_the_named_attributes_are_taken(tmp_path: Path) -> None:
    store = _load(tmp_path, table=CASE_TABLE + 'attributes = ["category"]\n')
    rows = query(store, "SELECT journey_id, attributes->>'category', attributes->>'priority' FROM journeys ORDER BY 1")
    assert rows == [("c1", "hardware", None), ("c2", "software", None), ("c3", None, None)]


def test_a_case_attribute_chooses_the_pilot_group(tmp_path: Path) -> None:
    store = _load(tmp_path)
    out = tmp_path / "pilot"
    arguments = ["pilot", "--store", str(store), "--change-date", "2026-03-03", "--pilot", "priority = '4'"]
    result = CliRunner().invoke(app, [*arguments, "--bootstrap", "100", "--out", str(out)])
    assert result.exit_code == 0, result.output
    comparisons = pd.read_parquet(out / "pilot_comparisons.parquet")
    lead = comparisons[comparisons["key"] == "lead_median"].iloc[0]
    # priority 4: c1 (opened before the change, 2 hours) and c3 (after it, one event: 0 hours);
    # c2 (priority 2) is in neither
    assert (lead["n_pilot_before"], lead["n_pilot_after"]) == (1, 1)
    assert (lead["before"], lead["after"]) == (2.0, 0.0)


def test_a_case_id_given_twice_names_both_lines(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"cases\.csv: line 5: case 'c1' is given again \(first on line 2\)"):
        _load(tmp_path, CASES.replace("c9;", "c1;"))


def test_an_unknown_attribute_column_names_the_columns_there_are(tmp_path: Path) -> None:
    table = CASE_TABLE + 'attributes = ["priority", "region"]\n'
    # the key's line in log.toml: PLAIN_CONFIG's lines, then the case table's (counted from the text)
    line = (PLAIN_CONFIG + table).splitlines().index('attributes = ["priority", "region"]') + 1
    with pytest.raises(ConfigError) as raised:
        _load(tmp_path, table=table)
    assert str(raised.value).startswith(
        f"{tmp_path / 'log.toml'}:{line}: [sources.log.cases] key 'attributes': no column(s) region: "
        f"{tmp_path / 'cases.csv'} has the columns case, priority, category"
    )


def test_people_columns_are_pseudonymised_like_resources(tmp_path: Path) -> None:
    cases = "case;owner;priority\nc1;ann;4\nc2;carl;2\n"
    store = _load(tmp_path, cases, CASE_TABLE + 'people = ["owner"]\n')
    owners = dict(query(store, "SELECT journey_id, attributes->>'owner' FROM journeys WHERE journey_id <> 'c3'"))
    # ann opened c1: her pseudonym as the resource of that event is the one the case table's owner gets
    (ann,) = query(store, "SELECT DISTINCT resource FROM events WHERE journey_id = 'c1' AND activity = 'Open'")[0]
    assert owners["c1"] == ann and ann.startswith("p-")
    assert owners["c2"].startswith("p-") and owners["c2"] != ann
    assert query(store, "SELECT count(*) FROM journeys WHERE contains(attributes::VARCHAR, 'carl')") == [(0,)]
