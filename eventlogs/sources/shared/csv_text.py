"""Reads a CSV file with every column as text, numbering records by the line they start on.

Record by record, so one bad record costs only itself: a record with more or fewer fields than the
header, bytes that are not UTF-8, or one longer than MAX_RECORD_BYTES is set aside as unreadable with
its line and reason (the callers reject it), and the rest of the file is read as usual. Line numbers
count physical lines, so a quoted field spanning lines moves the numbers of the records after it
correctly. Fields are separated by the source's `separator` (',' unless configured); a header that
lacks the wanted columns but would hold them split on another common separator says which to set.

Reading record by record in Python costs about 2 s per million rows; a well-formed file is read by
pyarrow instead (about 20 times faster) whenever that gives exactly the same table: pyarrow read every
record, each record is one line (so its number is its line's), no record can be longer than
MAX_RECORD_BYTES. Any doubt, and the file is read record by record.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from eventlogs.errors import SourceError
from eventlogs.located_config import Located

# Far beyond any real field of an event export, small enough that one runaway quoted field (a quote
# never closed) cannot hold the whole file in memory as one value for long.
MAX_RECORD_BYTES = 1 << 20
# How much of an unreadable record the reject keeps: enough to recognise it, never megabytes.
REJECT_TEXT_CHARS = 2000
# The separators a header is tried with when the configured one does not find the mapped columns.
COMMON_SEPARATORS = (";", "\t", "|", ",")


@dataclass(frozen=True)
class UnreadableRecord:
    line: int
    text: str  # the record as far as it could be decoded, cut to REJECT_TEXT_CHARS
    reason: str  # starts with "record: " (the field a reject names)
    record_id: str  # from the record's bytes, never its position (see content_record_id)


@dataclass(frozen=True)
class CsvText:
    """The readable records (every column as text plus `line`) and the unreadable ones."""

    table: pa.Table
    unreadable: list[UnreadableRecord]

    @property
    def records_read(self) -> int:
        return self.table.num_rows + len(self.unreadable)

    def unreadable_table(self) -> pa.Table:
        """line, record_id, record (JSON text), reason: for the callers' rejects."""
        return pa.table(
            {
                "line": pa.array([r.line for r in self.unreadable], pa.int64()),
                "record_id": pa.array([r.record_id for r in self.unreadable], pa.string()),
                "text": pa.array([r.text for r in self.unreadable], pa.string()),
                "reason": pa.array([r.reason for r in self.unreadable], pa.string()),
            }
        )


class _PhysicalLines:
    """The file's lines decoded one by one for csv.reader, remembering which did not decode and how many
    bytes have been read, so a record's size and encoding can be judged after the reader joined its lines."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.bytes_read = 0
        self.undecodable: dict[int, str] = {}  # line -> what was wrong with it
        self.line = 0

    def __iter__(self) -> Iterator[str]:
        for raw in self.file:
            self.line += 1
            self.bytes_read += len(raw)
            if self.line == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]  # a byte-order mark is no part of the first column's name
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as error:
                where = f"byte 0x{raw[error.start]:02x} at position {error.start + 1}"
                self.undecodable[self.line] = f"{where} is not UTF-8"
                yield raw.decode("utf-8", errors="replace")


def content_record_id(text: str, copy: int) -> str:
    """An unreadable record's id: its text, and which copy of that text in the file it is (identical
    records are told apart by their order among themselves only, never by their line)."""
    digest = hashlib.sha256(text.encode("utf-8", errors="replace")).hexdigest()[:32]
    return digest if copy == 1 else f"{digest}#{copy}"


def _header_names(header: list[str]) -> list[str]:
    # duplicate header names (Helpdesk has two 'Variant' columns) get a numeric suffix
    names: list[str] = []
    seen: dict[str, int] = {}
    for name in header:
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return names


def read_separator(section: Located, key: str = "separator") -> str:
    """A CSV source's field separator: one character, ',' when not given; a tab is "\\t" in TOML (the
    two characters backslash and t, as a literal string '\\t' gives them, are taken as a tab too)."""
    separator = section.string(key, ",")
    separator = "\t" if separator == "\\t" else separator
    if len(separator) != 1 or separator in '\r\n"':
        raise section.key_error(key, f"must be one character such as ';' or \"\\t\" (a tab), not {separator!r}")
    return separator


def _shown(separator: str) -> str:
    return '"\\t"' if separator == "\t" else f"'{separator}'"


def separator_hint(path: Path, required: tuple[str, ...], separator: str) -> str:
    """When the header holds the `required` columns split on another common separator: the sentence
    saying so ("; the header looks separated by ';': set separator = ';'"), else nothing."""
    with path.open("rb") as file:
        first = file.readline(MAX_RECORD_BYTES).decode("utf-8-sig", errors="replace")
    for other in COMMON_SEPARATORS:
        if other != separator and all(column in next(csv.reader([first], delimiter=other)) for column in required):
            word = "tabs" if other == "\t" else _shown(other)
            return f"; the header looks separated by {word}: set separator = {_shown(other)}"
    return ""


def read_csv_as_text(path: Path, source: str, required: tuple[str, ...], separator: str = ",") -> CsvText:
    """All columns as strings plus `line` (the header is line 1; blank lines are no records)."""
    if not path.exists():
        raise SourceError(f"source '{source}': file {path} does not exist")
    fast = _read_well_formed(path, required, separator)
    if fast is not None:
        return CsvText(fast, [])
    return _read_record_by_record(path, source, required, separator)


# Bytes read at a time while finding line ends: a bounded buffer whatever the file's size.
_CHUNK_BYTES = 1 << 23


def _record_lines(path: Path) -> np.ndarray | None:
    """The numbers of the lines after the header that are not blank (each a record when no quoted field
    spans lines); None when the file has a line break csv.reader and pyarrow may not agree on (a bare
    carriage return) or its first line is blank."""
    ends: list[np.ndarray] = []  # position of each b"\n"
    blank: list[np.ndarray] = []  # the line it ends holds nothing, or only b"\r"
    carriage_returns = crlf = 0
    offset, previous_end, previous_byte = 0, -1, -1
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK_BYTES):
            data = np.frombuffer(chunk, np.uint8)
            local = np.flatnonzero(data == 10)
            before = np.where(local > 0, data[np.maximum(local - 1, 0)], previous_byte)
            starts = np.concatenate(([previous_end + 1], local[:-1] + offset + 1)) if len(local) else local
            length = local + offset - starts
            blank.append((length == 0) | ((length == 1) & (before == 13)))
            ends.append(local + offset)
            carriage_returns += chunk.count(b"\r")
            crlf += int(np.count_nonzero(before == 13))
            if len(local):
                previous_end = int(local[-1]) + offset
            offset += len(chunk)
            previous_byte = int(data[-1])
    if carriage_returns != crlf:
        return None
    is_blank = np.concatenate([*blank, np.zeros(1 if offset > previous_end + 1 else 0, bool)])  # unterminated last line
    if len(is_blank) == 0 or is_blank[0]:
        return None
    return np.flatnonzero(~is_blank[1:]) + 2


def _read_well_formed(path: Path, required: tuple[str, ...], separator: str = ",") -> pa.Table | None:
    """The table read_csv_as_text returns, read by pyarrow; None (read record by record) when the file may
    hold anything that reader reports or numbers differently: an unreadable header or record, bytes that
    are not UTF-8, a missing column, a quoted field spanning lines, a record near MAX_RECORD_BYTES."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            header = next(csv.reader(file, delimiter=separator), None)
        names = _header_names(header or [])
        spans_lines = any("\n" in name or "\r" in name for name in names)
        if not names or spans_lines or any(column not in names for column in required):
            return None
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=separator, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string())),
        )
    except (csv.Error, UnicodeDecodeError, pa.ArrowInvalid):
        return None
    lines = _record_lines(path)
    # one record per non-blank line: no quoted field spans lines, so every record's number is its line's
    if lines is None or len(lines) != table.num_rows:
        return None
    if path.stat().st_size > MAX_RECORD_BYTES and table.num_rows:
        # at most two bytes per character (a doubled quote), quotes and separator per field, and CRLF
        characters = functools.reduce(pc.add, [pc.binary_length(column) for column in table.columns])
        if pc.max(characters).as_py() * 2 + 3 * len(names) + 2 > MAX_RECORD_BYTES:
            return None
    return table.append_column("line", pa.array(lines, pa.int64()))


def _read_record_by_record(path: Path, source: str, required: tuple[str, ...], separator: str) -> CsvText:
    # the size limit is ours (MAX_RECORD_BYTES, per record, with a line number); csv's own would stop the file
    csv.field_size_limit(sys.maxsize)
    with path.open("rb") as file:
        lines = _PhysicalLines(file)
        reader = csv.reader(lines, delimiter=separator)
        try:
            header = next(reader, None)
        except csv.Error as error:
            raise SourceError(f"source '{source}' ({path}): not a readable CSV header: {error}") from error
        if header is None or lines.undecodable:
            problem = "is empty" if header is None else f"header is not UTF-8 ({lines.undecodable[1]})"
            raise SourceError(f"source '{source}' ({path}): not a readable CSV file: {problem}")
        names = _header_names(header)
        missing = [column for column in required if column not in names]
        if missing:
            hint = separator_hint(path, required, separator)
            raise SourceError(f"source '{source}' ({path}): header lacks column(s) {', '.join(missing)}{hint}")
        columns: list[list[str]] = [[] for _ in names]
        numbers: list[int] = []
        unreadable: list[tuple[int, str, str]] = []
        while True:
            start, bytes_before = lines.line + 1, lines.bytes_read
            try:
                fields = next(reader, None)
            except csv.Error as error:  # the reader drops the rest of the line and goes on with the next
                unreadable.append((start, "", f"record: not readable as CSV ({error})"))
                continue
            if fields is None:
                break
            if not fields:
                continue  # a blank line
            size = lines.bytes_read - bytes_before
            text = separator.join(fields)
            bad_bytes = [lines.undecodable[n] for n in range(start, lines.line + 1) if n in lines.undecodable]
            if size > MAX_RECORD_BYTES:
                reason = f"record: {size:,} bytes, longer than the {MAX_RECORD_BYTES:,} a record may have"
            elif bad_bytes:
                reason = f"record: not UTF-8 text ({bad_bytes[0]})"
            elif len(fields) != len(names):
                reason = f"record: {len(fields)} fields where the header has {len(names)}"
            else:
                for column, value in zip(columns, fields, strict=True):
                    column.append(value)
                numbers.append(start)
                continue
            unreadable.append((start, text, reason))
    table = pa.table({name: pa.array(values, pa.string()) for name, values in zip(names, columns, strict=True)})
    copies: Counter[str] = Counter()
    records = []
    for line, text, reason in unreadable:
        copies[text] += 1
        records.append(UnreadableRecord(line, text[:REJECT_TEXT_CHARS], reason, content_record_id(text, copies[text])))
    return CsvText(table.append_column("line", pa.array(numbers, pa.int64())), records)
