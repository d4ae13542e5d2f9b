"""Carrier / warehouse tracking exports (CSV): one row per scan, local time with its UTC offset.

The order reference ties a shipment to a request in another source; the loader resolves it, because
the request may have been loaded in an earlier run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from eventlogs.errors import SourceError
from eventlogs.located_config import Located
from eventlogs.one_row import one_value
from eventlogs.sources.shared.csv_text import read_csv_as_text, read_separator
from eventlogs.sources.shared.event_identity import content_hash_sql, create_id_salt, numbered_copies_sql
from eventlogs.sql_text import HAS_UTC_OFFSET
from eventlogs.staging import REASON_FIELD_SQL, StagedSource, create_staging_tables, write_staged
from eventlogs.work_connection import work_connection

REQUIRED_COLUMNS = ("shipment_id", "order_ref", "event_code", "event_time", "depot")


@dataclass(frozen=True)
class EventCodeMapping:
    activity: str
    department: str


@dataclass(frozen=True)
class TrackingCsvSource:
    """A carrier or warehouse tracking export: shipment_id, order_ref, event_code, event_time, depot."""

    name: str
    path: Path
    correlates_with: str
    event_codes: dict[str, EventCodeMapping]
    kind: str = "tracking_csv"
    separator: str = ","  # of the export's fields


def read_config(section: Located, name: str, data_folder: Path) -> TrackingCsvSource:
    codes = section.section("event_codes")
    mappings = {}
    for code in codes.key_names():
        entry = codes.section(code)
        mappings[code] = EventCodeMapping(entry.text("activity"), entry.text("department"))
    return TrackingCsvSource(
        name=name,
        path=data_folder / section.text("path"),
        correlates_with=section.text("correlates_with"),
        event_codes=mappings,
        separator=read_separator(section),
    )


def extract(source: TrackingCsvSource, staging_folder: Path, since: datetime | None = None) -> StagedSource:
    """Reads the whole source every time (`since` is not used: a file has no updated-at); the loader's
    merge makes that safe."""
    scans = read_csv_as_text(source.path, source.name, REQUIRED_COLUMNS, source.separator)
    codes = pd.DataFrame(
        {
            "code": list(source.event_codes),
            "activity": [m.activity for m in source.event_codes.values()],
            "department": [m.department for m in source.event_codes.values()],
        }
    )
    connection = work_connection()
    try:
        connection.execute("SET TimeZone = 'UTC'")
        connection.register("scans", scans.table)
        connection.register("unreadable_records", scans.unreadable_table())
        connection.register("codes", codes)
        create_staging_tables(connection)
        create_id_salt(connection)
        quality = _stage(connection, source)
        return write_staged(connection, staging_folder, source.name, scans.records_read, quality)
    except duckdb.Error as error:
        raise SourceError(f"source '{source.name}' ({source.path}): {error}") from error
    finally:
        connection.close()


def _stage(connection: duckdb.DuckDBPyConnection, source: TrackingCsvSource) -> list[dict[str, object]]:
    bound = {"name": source.name}  # a configured name reaches SQL only as a bound parameter
    connection.execute(f"""
        CREATE TEMP TABLE scans_checked AS
        WITH parsed AS (
            SELECT s.*, try_cast(event_time AS TIMESTAMPTZ) AS ts, c.activity, c.department,
                   upper(trim(order_ref)) AS correlation_key,
                   coalesce(
                     CASE WHEN coalesce(trim(shipment_id), '') = '' THEN 'shipment_id: missing' END,
                     CASE WHEN coalesce(trim(order_ref), '') = '' THEN 'order_ref: missing' END,
                     CASE WHEN coalesce(trim(event_time), '') = '' THEN 'event_time: missing timestamp' END,
                     CASE WHEN try_cast(event_time AS TIMESTAMPTZ) IS NULL
                          THEN 'event_time: unparseable timestamp ''' || event_time || '''' END,
                     CASE WHEN NOT regexp_matches(trim(event_time), '{HAS_UTC_OFFSET}')
                          THEN 'event_time: no UTC offset in ''' || event_time || '''' END,
                     CASE WHEN c.activity IS NULL THEN 'event_code: unknown event code ''' || event_code || '''' END
                   ) AS reason
            FROM scans s LEFT JOIN codes c ON c.code = trim(s.event_code)
        )
        SELECT * EXCLUDE (reason, first_line), coalesce(reason,
                 CASE WHEN first_line <> line THEN 'event_time: duplicate of line ' || first_line
                      || ' (same shipment_id, event_code, event_time)' END) AS reason
        FROM (SELECT *, min(line) OVER (PARTITION BY reason IS NULL, shipment_id, trim(event_code), ts) AS first_line
              FROM parsed)
    """)
    connection.execute(
        """
        INSERT INTO staged_events
        SELECT NULL, correlation_key, activity, ts, department, depot, NULL, 'work', $name,
               shipment_id || '|' || trim(event_code) || '|' || strftime(ts, '%Y-%m-%dT%H:%M:%S'),
               'line ' || line, to_json({'shipment_id': shipment_id, 'event_code': event_code,
                                         'order_ref': order_ref, 'depot': depot})
        FROM scans_checked WHERE reason IS NULL
    """,
        bound,
    )
    # a reject is named by its content (numbered when it repeats), never by its line: see event_identity
    record = (
        "to_json({'shipment_id': shipment_id, 'order_ref': order_ref, 'event_code': event_code, "
        "'event_time': event_time, 'depot': depot})"
    )
    reject_id = numbered_copies_sql("record_key", "reason IS NOT NULL", "line")
    connection.execute(
        f"""
        INSERT INTO staged_rejects
        SELECT $name, {reject_id}, 'line ' || line, {record}, {REASON_FIELD_SQL}, reason
        FROM (SELECT *, {content_hash_sql([f"{record}::VARCHAR"])} AS record_key
              FROM scans_checked WHERE reason IS NOT NULL)
        UNION ALL
        SELECT $name, record_id, 'line ' || line, to_json({{'text': text}}), {REASON_FIELD_SQL}, reason
        FROM unreadable_records
    """,
        bound,
    )
    duplicates = one_value(
        connection.execute(
            "SELECT count(*) FROM scans_checked WHERE starts_with(reason, 'event_time: duplicate of line ')"
        )
    )
    out_of_order = one_value(
        connection.execute("""
        SELECT count(DISTINCT shipment_id) FROM (
            SELECT shipment_id, ts < lag(ts) OVER (PARTITION BY shipment_id ORDER BY line) AS backwards
            FROM scans_checked WHERE reason IS NULL)
        WHERE backwards
    """)
    )
    return [
        {
            "check": "duplicate_scans_in_file",
            "count": duplicates,
            "detail": "scans repeating an earlier line's shipment_id, event_code and event_time (rejected, naming it)",
        },
        {
            "check": "listed_out_of_time_order",
            "count": out_of_order,
            "detail": "shipments whose scans are listed out of time order in the file (loaded, ordered by time)",
        },
    ]
