"""What an output was made from: the store's load runs, the period its data covers, the configuration
files used (each with its SHA-256) and the code version. Every page, Parquet file, provenance.json and
run summary carries one `Provenance`, so a figure found later can be traced to its data and settings.
(Its words live in mining/report/provenance_words.py.)"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb

from eventlogs.one_row import one_row
from eventlogs.store import connect_store
from mining.scope.scope import store_time_range

PACKAGE = "journey-mining"
UNKNOWN = "unknown"
# The key of the JSON in every Parquet file's key-value metadata.
PARQUET_KEY = b"journey_mining.provenance"
SHORT_HASH = 12  # hex digits shown on pages; the JSON keeps the whole SHA-256


@dataclass(frozen=True)
class LoadRun:
    """One run of the store's load ledger: its id, the sources it loaded, when it finished."""

    run_id: str
    sources: tuple[str, ...]
    finished_at: datetime


@dataclass(frozen=True)
class ConfigFile:
    """A configuration file an output used: its role (sources, designed journey, time rules, pilot), its
    file name (not the whole path: outputs are shared) and the SHA-256 of its bytes."""

    role: str
    name: str
    sha256: str

    @property
    def short_hash(self) -> str:
        return self.sha256[:SHORT_HASH]


@dataclass(frozen=True)
class Provenance:
    load_runs: tuple[LoadRun, ...]  # in the order they were loaded
    first_event: datetime | None  # None: the store holds no event
    last_event: datetime | None
    extracted_at: datetime | None  # the latest instant the store records (`Scope.extracted_at`)
    config_files: tuple[ConfigFile, ...]
    code_version: str  # the package version, or "unknown"
    code_commit: str  # the git commit (short) when run from a checkout, or "unknown"
    made_at: datetime

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: times as ISO 8601 UTC."""

        def moment(value: datetime | None) -> str | None:
            return None if value is None else value.astimezone(UTC).isoformat()

        return {
            "load_runs": [
                {"run_id": run.run_id, "sources": list(run.sources), "finished_at": moment(run.finished_at)}
                for run in self.load_runs
            ],
            "first_event": moment(self.first_event),
            "last_event": moment(self.last_event),
            "extracted_at": moment(self.extracted_at),
            "config_files": [
                {"role": file.role, "name": file.name, "sha256": file.sha256} for file in self.config_files
            ],
            "code_version": self.code_version,
            "code_commit": self.code_commit,
            "made_at": moment(self.made_at),
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2)


def config_file(role: str, path: Path) -> ConfigFile:
    return ConfigFile(role, path.name, hashlib.sha256(path.read_bytes()).hexdigest())


@cache
def code_version() -> tuple[str, str]:
    """(package version, short git commit); "unknown" for either that cannot be told, never an error:
    provenance must not stop a run."""
    try:
        version = metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        version = UNKNOWN
    checkout = Path(__file__).resolve().parents[2]  # mining/scope/provenance.py -> the repository
    commit = UNKNOWN
    if (checkout / ".git").exists():
        try:
            done = subprocess.run(
                ["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
            if done.returncode == 0 and done.stdout.strip():
                commit = done.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    return version, commit


def read_provenance(
    connection: duckdb.DuckDBPyConnection, config_files: Mapping[str, Path | None] | None = None
) -> Provenance:
    """The provenance of an output made now from the store on `connection`, with `config_files` (role ->
    path; None: that file was not used) hashed as they are on disk."""
    rows = connection.execute("""
        SELECT run_id, list(source ORDER BY source), max(finished_at) AS finished FROM load_runs
        GROUP BY run_id ORDER BY finished, run_id
    """).fetchall()  # in load order: two runs of one second have ids in random order
    first_event, last_event = one_row(connection.execute("SELECT min(ts), max(ts) FROM events"))
    version, commit = code_version()
    return Provenance(
        load_runs=tuple(LoadRun(str(run_id), tuple(sources), finished) for run_id, sources, finished in rows),
        first_event=first_event,
        last_event=last_event,
        extracted_at=store_time_range(connection)[1],
        config_files=tuple(config_file(role, path) for role, path in (config_files or {}).items() if path),
        code_version=version,
        code_commit=commit,
        made_at=datetime.now(UTC),
    )


def store_provenance(store: Path, config_files: Mapping[str, Path | None] | None = None) -> Provenance:
    """read_provenance on the store at `store`, opened read-only for the moment it takes."""
    connection = connect_store(store, read_only=True)
    try:
        return read_provenance(connection, config_files)
    finally:
        connection.close()
