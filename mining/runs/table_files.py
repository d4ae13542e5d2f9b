"""Result tables written as Parquet files, one per table, for users to open in their own tools; each file
carries the run's provenance in its key-value metadata, and provenance.json lies beside them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from mining.scope.provenance import PARQUET_KEY, Provenance

PROVENANCE_FILE = "provenance.json"


def write_parquet_tables(tables: dict[str, pd.DataFrame], folder: Path, provenance: Provenance) -> list[Path]:
    """Each table as `<name>.parquet` in `folder` (created when missing), its schema metadata holding the
    provenance JSON under PARQUET_KEY beside pandas' own; returns the paths in order."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = provenance.to_json().encode()
    written = []
    for name, table in tables.items():
        path = folder / f"{name}.parquet"
        arrow = pa.Table.from_pandas(table, preserve_index=False)
        arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), PARQUET_KEY: stamp})
        pq.write_table(arrow, path)
        written.append(path)
    return written


def write_provenance(provenance: Provenance, folder: Path) -> Path:
    """provenance.json in `folder`: what every file written beside it was made from."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / PROVENANCE_FILE
    path.write_text(provenance.to_json() + "\n")
    return path
