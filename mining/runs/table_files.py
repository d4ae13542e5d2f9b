"""Result tables written as Parquet files, one per table, for users to open in their own tools."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def write_parquet_tables(tables: dict[str, pd.DataFrame], folder: Path) -> list[Path]:
    """Each table as `<name>.parquet` in `folder` (created when missing); returns the paths in order."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in tables.items():
        path = folder / f"{name}.parquet"
        table.to_parquet(path, index=False)
        written.append(path)
    return written
