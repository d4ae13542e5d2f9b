"""A file source's record gets its identity from what it says, never from where it sits in the file.

A file is read whole on every run and the next export may insert, drop or reorder rows: an id made of
the line number then names another record, so a new event is taken for "already loaded" and lost while
an old one is loaded twice. An id made of the record's content stays with the record wherever it moves.
"""

from __future__ import annotations

import duckdb

from eventlogs.staging.pseudonymise import staging_key


def create_id_salt(connection: duckdb.DuckDBPyConnection) -> None:
    """The temp table `id_salt`: the pseudonym key while people are pseudonymised, else ''. A plain hash
    of (case, activity, time, person) could be reversed by trying the staff list; keyed, it cannot."""
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE id_salt AS SELECT $salt::VARCHAR AS salt", {"salt": staging_key() or ""}
    )


def content_hash_sql(parts: list[str]) -> str:
    """SQL for 32 hex digits of sha256 over the salt and a JSON array of the `parts` (SQL expressions
    of text): in an array NULL and '' stay distinct, and no separator can be forged by a value."""
    return f"left(sha256((SELECT salt FROM id_salt) || json_array({', '.join(parts)})::VARCHAR), 32)"


def numbered_copies_sql(key: str, partition: str, order: str) -> str:
    """SQL for `key`, with '#2', '#3' ... on the second, third ... row of the same key within `partition`:
    identical rows are told apart by their order among themselves only, which rows added or removed
    elsewhere in the file do not change."""
    copy = f"row_number() OVER (PARTITION BY {partition}, {key} ORDER BY {order})"
    return f"{key} || CASE WHEN {copy} > 1 THEN '#' || {copy} ELSE '' END"


def repeated_rows_check(count: int, configured_id: bool = False) -> dict[str, object]:
    """A file source's rows that repeat an earlier row of the same file: alike in every field that names
    an event (loaded each, as numbered copies), or with the same configured event id (rejected)."""
    if configured_id:
        return {
            "check": "repeated_event_ids_in_file",
            "count": count,
            "detail": "rows whose event id repeats an earlier row's in the same file (rejected, naming that row)",
        }
    return {
        "check": "identical_rows_in_file",
        "count": count,
        "detail": "rows identical to an earlier row of the same file in case, activity, time, resource, team, "
        "department and lifecycle (each loaded as recorded, numbered as copies: a double export?)",
    }
