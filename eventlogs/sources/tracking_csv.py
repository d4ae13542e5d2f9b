"""Carrier / warehouse tracking exports (CSV): one row per scan, local time with its UTC offset.

The order reference ties a shipment to a request in another source; the loader resolves it, because
the request may have been loaded in an earlier run.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from eventlogs.config import TrackingCsvSource
from eventlogs.errors import SourceError
from eventlogs.sources.csv_text import read_csv_as_text
from eventlogs.sql_text import HAS_UTC_OFFSET
from eventlogs.staging import REASON_FIELD_SQL, StagedSource, create_staging_tables, write_staged
from eventlogs.work_connection import work_connection

REQUIRED_COLUMNS = ("shipment_id", "order_ref", "event_code", "event_time", "depot")


def extract_tracking_csv(
    source: TrackingCsvSource, staging_folder: Path, since: datetime | None = None
) -> StagedSource:
    """Reads the whole source every time (`since` is not used: a file has no updated-at); the loader's
    merge makes that safe."""
    scans = read_csv_as_text(source.path, source.name, REQUIRED_COLUMNS)
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
        connection.register("scans", scans)
        connection.register("codes", codes)
        create_staging_tables(connection)
        quality = _stage(connection, source)
        return write_staged(connection, staging_folder, source.name, scans.num_rows, quality)
    except duckdb.Error as error:
        raise SourceError(f"source '{source.name}' ({source.path}): {error}") from error
    finally:
        connection.close()


def _stage(connection: duckdb.DuckDBPyConnection, source: TrackingCsvSource) -> list[dict[str, object]]:
    name = source.name
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
    connection.execute(f"""
        INSERT INTO staged_events
        SELECT NULL, correlation_key, activity, ts, department, depot, NULL, 'work', '{name}',
               shipment_id || '|' || trim(event_code) || '|' || strftime(ts, '%Y-%m-%dT%H:%M:%S'),
               'line ' || line, to_json({{'shipment_id': shipment_id, 'event_code': event_code,
                                         'order_ref': order_ref, 'depot': depot}})
        FROM scans_checked WHERE reason IS NULL
    """)
    connection.execute(f"""
        INSERT INTO staged_rejects
        SELECT '{name}', 'line:' || line, 'line ' || line,
               to_json({{'shipment_id': shipment_id, 'order_ref': order_ref, 'event_code': event_code,
                        'event_time': event_time, 'depot': depot}}),
               {REASON_FIELD_SQL}, reason
        FROM scans_checked WHERE reason IS NOT NULL
    """)
    out_of_order = connection.execute("""
        SELECT count(DISTINCT shipment_id) FROM (
            SELECT shipment_id, ts < lag(ts) OVER (PARTITION BY shipment_id ORDER BY line) AS backwards
            FROM scans_checked WHERE reason IS NULL)
        WHERE backwards
    """).fetchone()[0]
    return [
        {
            "check": "listed_out_of_time_order",
            "count": out_of_order,
            "detail": "shipments whose scans are listed out of time order in the file (loaded, ordered by time)",
        }
    ]
