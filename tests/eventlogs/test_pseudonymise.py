"""People are pseudonymised at load by default: stable per key, different across keys, or kept by name."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from eventlogs.errors import ConfigError
from eventlogs.pipeline import extract_and_load
from eventlogs.staging.folder import remove_abandoned, staging_folder
from eventlogs.staging.pseudonymise import pseudonym_key
from flows.cli import app
from tests.csv_logs import CONFIG, LOG


def _resources(tmp_path: Path, name: str, config: str) -> list[str]:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "log.csv").write_text(LOG)
    (folder / "log.toml").write_text(config)
    extract_and_load(folder / "log.toml", folder / "store.duckdb")
    with duckdb.connect(str(folder / "store.duckdb"), read_only=True) as connection:
        return [r for (r,) in connection.execute("SELECT resource FROM events ORDER BY source_row").fetchall()]


def test_keyed_pseudonyms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEY_PSEUDONYM_KEY", "secret-key-number-1")
    first = _resources(tmp_path, "a", CONFIG)
    again = _resources(tmp_path, "b", CONFIG)
    expected_ann = "p-" + hashlib.sha256(b"secret-key-number-1|ann").hexdigest()[:12]
    assert first == [expected_ann, "p-" + hashlib.sha256(b"secret-key-number-1|bob").hexdigest()[:12], expected_ann]
    assert again == first  # the same person gets the same pseudonym in every store with this key
    monkeypatch.setenv("JOURNEY_PSEUDONYM_KEY", "secret-key-number-2")
    assert _resources(tmp_path, "c", CONFIG)[0] != expected_ann


def test_names_kept_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JOURNEY_PSEUDONYM_KEY", raising=False)
    keep = CONFIG.replace('journey_type = "ticket"', 'journey_type = "ticket"\npseudonymise_resources = false')
    assert _resources(tmp_path, "named", keep) == ["ann", "bob", "ann"]
    hidden = _resources(tmp_path, "hidden", CONFIG)
    assert all(r.startswith("p-") for r in hidden)
    key_file = tmp_path / "hidden" / "store.duckdb.pseudonym-key"
    assert key_file.stat().st_mode & 0o077 == 0  # a local key is readable by its owner only


XES = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <trace>
    <string key="concept:name" value="T1"/>
    <event>
      <string key="concept:name" value="Open"/>
      <date key="time:timestamp" value="2026-03-02T09:00:00.000+01:00"/>
      <string key="org:resource" value="Alice Smith"/>
      <string key="reviewed by" value="Bob Jones"/>
      <string key="note" value="seen by Alice Smith"/>
    </event>
    <event>
      <string key="concept:name" value="Close"/>
      <date key="time:timestamp" value="2026-03-02T10:00:00.000+01:00"/>
      <string key="org:resource" value="Bob Jones"/>
      <string key="reviewed by" value="Bob Jones"/>
    </event>
  </trace>
</log>
"""
XES_CONFIG = """
[sources.xlog]
kind = "xes"
path = "log.xes"
journey_type = "ticket"
[sources.xlog.fields]
journey_id = "concept:name"
activity = "concept:name"
timestamp = "time:timestamp"
resource = "org:resource"
"""


def _pseudonym(key: str, name: str) -> str:
    return "p-" + hashlib.sha256(f"{key}|{name}".encode()).hexdigest()[:12]


def test_people_in_event_attributes_are_pseudonymised_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = "attribute-test-key-0123456789"
    monkeypatch.setenv("JOURNEY_PSEUDONYM_KEY", key)
    (tmp_path / "log.xes").write_text(XES)
    (tmp_path / "log.toml").write_text(XES_CONFIG)
    extract_and_load(tmp_path / "log.toml", tmp_path / "store.duckdb")
    with duckdb.connect(str(tmp_path / "store.duckdb"), read_only=True) as connection:
        rows = connection.execute("SELECT activity, resource, attributes FROM events ORDER BY ts").fetchall()
        everything = connection.execute("SELECT * FROM events").df().astype(str).to_csv()
    alice, bob = _pseudonym(key, "Alice Smith"), _pseudonym(key, "Bob Jones")
    (_, open_by, open_attributes), (_, close_by, close_attributes) = rows
    assert (open_by, close_by) == (alice, bob)
    opened, closed = json.loads(open_attributes), json.loads(close_attributes)
    assert opened["org:resource"] == alice and closed["org:resource"] == bob  # the standard people key
    assert closed["reviewed by"] == bob  # equal to the event's own resource: a person
    # a free-text value that merely mentions a name is not a name value: it is kept (documented limit)
    assert opened["note"] == "seen by Alice Smith"
    assert opened["reviewed by"] == "Bob Jones"  # another event's person, under a key we cannot know
    assert everything.count("Alice Smith") == 1  # only inside the free-text note


def test_parallel_extractions_share_one_complete_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JOURNEY_PSEUDONYM_KEY", raising=False)
    barrier = threading.Barrier(4)

    def key_of(store: Path) -> str:
        barrier.wait()
        return pseudonym_key(store)

    for trial in range(150):
        store = tmp_path / f"s{trial}.duckdb"
        with ThreadPoolExecutor(4) as pool:
            keys = list(pool.map(key_of, [store] * 4))
        assert len(set(keys)) == 1 and len(keys[0]) == 64, (trial, keys)
        assert not list(tmp_path.glob(f"s{trial}.duckdb.pseudonym-key.*"))  # no temporary file left


@pytest.mark.parametrize("content", ["", "\n", "short"])
def test_an_empty_or_short_key_file_is_an_error_not_real_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str
) -> None:
    monkeypatch.delenv("JOURNEY_PSEUDONYM_KEY", raising=False)
    (tmp_path / "log.csv").write_text(LOG)
    (tmp_path / "log.toml").write_text(CONFIG)
    (tmp_path / "store.duckdb.pseudonym-key").write_text(content)  # left by a crash or a full disk
    result = CliRunner().invoke(
        app, ["extract", "--config", str(tmp_path / "log.toml"), "--store", str(tmp_path / "store.duckdb")]
    )
    assert result.exit_code == 1
    assert "pseudonym key" in result.output and "store.duckdb.pseudonym-key" in " ".join(result.output.split())
    assert not (tmp_path / "store.duckdb").exists() or _no_events(tmp_path / "store.duckdb")


def test_an_empty_key_in_the_environment_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEY_PSEUDONYM_KEY", "")
    with pytest.raises(ConfigError, match="JOURNEY_PSEUDONYM_KEY is empty"):
        pseudonym_key(tmp_path / "store.duckdb")


def _no_events(store: Path) -> bool:
    with duckdb.connect(str(store), read_only=True) as connection:
        return connection.execute("SELECT count(*) FROM events").fetchone()[0] == 0


def test_staging_is_private_and_a_killed_runs_folder_is_removed_by_the_next(tmp_path: Path) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    abandoned = tmp_path / f"journey-staging-{dead.pid}-staging-x"
    running = tmp_path / f"journey-staging-{os.getpid()}-staging-y"
    abandoned.mkdir()
    running.mkdir()
    (abandoned / "rejects.parquet").write_text("raw names")
    assert remove_abandoned(tmp_path) == [abandoned]
    assert not abandoned.exists() and running.exists()  # a live run's folder is left alone
    with staging_folder() as folder:
        assert folder.stat().st_mode & 0o077 == 0
        (folder / "rejects.parquet").write_text("raw names")
    assert not folder.exists()
    with pytest.raises(RuntimeError), staging_folder() as failing:
        raise RuntimeError("the load failed")
    assert not failing.exists()
