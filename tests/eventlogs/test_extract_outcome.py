"""What `journey extract` says about a load: every record rejected is an error; events without a
department are counted for every kind of source, and the command prints the checks that found something."""

from __future__ import annotations

from pathlib import Path

import duckdb
from typer.testing import CliRunner

from flows.cli import app

CONFIG = """
[sources.log]
kind = "csv_event_log"
path = "log.csv"
journey_type = "ticket"
pseudonymise_resources = false
[sources.log.fields]
journey_id = "case"
activity = "activity"
timestamp = "time"
department = "dept"
"""


def _extract(folder: Path, log: str) -> tuple[int, str]:
    (folder / "log.csv").write_text(log)
    (folder / "log.toml").write_text(CONFIG)
    store = folder / "store.duckdb"
    result = CliRunner().invoke(app, ["extract", "--config", str(folder / "log.toml"), "--store", str(store)])
    return result.exit_code, " ".join(result.output.split())


def test_every_record_rejected_is_an_error(tmp_path: Path) -> None:
    code, said = _extract(tmp_path, "case,activity,time,dept\nc1,Open,someday,Desk\nc2,Open,never,Desk\n")
    assert code == 1
    assert "read 2 = loaded 0 + rejected 2 + already loaded 0" in said
    assert "every record was rejected: log" in said


def test_events_without_a_department_are_counted_and_printed(tmp_path: Path) -> None:
    log = "case,activity,time,dept\nc1,Open,2026-03-02 09:00:00,Desk\nc1,Fix,2026-03-02 10:00:00,\n"
    code, said = _extract(tmp_path, log)
    assert code == 0
    assert "log: events_without_department = 1" in said
    with duckdb.connect(str(tmp_path / "store.duckdb"), read_only=True) as connection:
        counted = connection.execute(
            "SELECT count FROM quality_checks WHERE source = 'log' AND check_name = 'events_without_department'"
        ).fetchall()
    assert counted == [(1,)]
