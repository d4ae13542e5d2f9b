"""People are pseudonymised at load by default: stable per key, different across keys, or kept by name."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from eventlogs.pipeline import extract_and_load
from tests.test_event_log_csv import CONFIG, LOG


def _resources(tmp_path: Path, name: str, config: str) -> list[str]:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "log.csv").write_text(LOG)
    (folder / "log.toml").write_text(config)
    extract_and_load(folder / "log.toml", folder / "store.duckdb")
    with duckdb.connect(str(folder / "store.duckdb"), read_only=True) as connection:
        return [r for (r,) in connection.execute("SELECT resource FROM events ORDER BY source_event_id").fetchall()]


def test_keyed_pseudonyms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEY_PSEUDONYM_KEY", "secret-1")
    first = _resources(tmp_path, "a", CONFIG)
    again = _resources(tmp_path, "b", CONFIG)
    expected_ann = "p-" + hashlib.sha256(b"secret-1|ann").hexdigest()[:12]
    assert first == [expected_ann, "p-" + hashlib.sha256(b"secret-1|bob").hexdigest()[:12], expected_ann]
    assert again == first  # the same person gets the same pseudonym in every store with this key
    monkeypatch.setenv("JOURNEY_PSEUDONYM_KEY", "secret-2")
    assert _resources(tmp_path, "c", CONFIG)[0] != expected_ann


def test_names_kept_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JOURNEY_PSEUDONYM_KEY", raising=False)
    keep = CONFIG.replace('journey_type = "ticket"', 'journey_type = "ticket"\npseudonymise_resources = false')
    assert _resources(tmp_path, "named", keep) == ["ann", "bob", "ann"]
    hidden = _resources(tmp_path, "hidden", CONFIG)
    assert all(r.startswith("p-") for r in hidden)
    key_file = tmp_path / "hidden" / "store.duckdb.pseudonym-key"
    assert key_file.stat().st_mode & 0o077 == 0  # a local key is readable by its owner only
