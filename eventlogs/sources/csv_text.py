"""Reads a CSV file with every column as text, numbering records by their line in the file."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from eventlogs.errors import SourceError


def read_csv_as_text(path: Path, source: str, required: tuple[str, ...]) -> pa.Table:
    """All columns as strings plus `line` (the header is line 1). Quoted fields spanning lines would
    shift the numbering; exports of event logs do not have them."""
    if not path.exists():
        raise SourceError(f"source '{source}': file {path} does not exist")
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            header = next(csv.reader(file), [])
        # duplicate header names (Helpdesk has two 'Variant' columns) get a numeric suffix
        names, seen = [], {}
        for name in header:
            seen[name] = seen.get(name, 0) + 1
            names.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string())),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as error:
        raise SourceError(f"source '{source}' ({path}): not a readable CSV file: {error}") from error
    missing = [column for column in required if column not in table.column_names]
    if missing:
        raise SourceError(f"source '{source}' ({path}): header lacks column(s) {', '.join(missing)}")
    return table.append_column("line", pa.array(range(2, table.num_rows + 2), pa.int64()))
