"""Flattens the raw OCEL 2.0 tables (eventlogs.sources.ocel2.read) to journeys, and stages the log itself.

The rule, worked in SQL so it runs the same for every format:
1. A case object's neighbourhood is the object itself plus every object reachable from it over
   object-to-object links, in either direction, through objects of a via type (and, when asked, objects
   the log names but never declares). Paths never pass through another case object (the case type may
   not be a via type), so two orders sharing nothing but a truck stay two journeys.
2. An event belongs to the journey of every case object whose neighbourhood holds one of the event's
   objects; an event reaching several case objects appears once per journey (counted: copies.py).
The OCEL tables get the whole log regardless, so an event in no journey is still in the store.
"""

from __future__ import annotations

from typing import Any

import duckdb

from eventlogs.one_row import one_value
from eventlogs.sources.ocel2.copies import JourneyCopies, count_journey_copies
from eventlogs.sources.ocel2.read import OcelFields
from eventlogs.sources.ocel2.source import Ocel2Source
from eventlogs.sql_text import HAS_UTC_OFFSET, sql_literal
from eventlogs.staging import REASON_FIELD_SQL


def _timestamp_sql(column: str, timezone: str) -> str:
    return (
        f"CASE WHEN regexp_matches(trim({column}), '{HAS_UTC_OFFSET}') THEN try_cast(trim({column}) AS TIMESTAMPTZ) "
        f"ELSE timezone({sql_literal(timezone)}, try_cast(trim({column}) AS TIMESTAMP)) END"
    )


def _check_events(connection: duckdb.DuckDBPyConnection, source: Ocel2Source, fields: OcelFields) -> None:
    """ocel_checked: every raw event with its parsed time, the reason it cannot be a journey event (if
    any), and `kept`: whether it goes to ocel_events (it has an id, and it is that id's first event)."""
    connection.execute(f"""
        CREATE TEMP TABLE ocel_checked AS
        WITH parsed AS (
            SELECT *, {_timestamp_sql("time_text", source.timezone)} AS ts,
                   first_value(position) OVER (PARTITION BY event_id ORDER BY position) AS first_position,
                   first_value(source_row) OVER (PARTITION BY event_id ORDER BY position) AS first_row
            FROM raw_events
        )
        SELECT *, coalesce(trim(event_id), '') <> '' AND position = first_position AS kept,
               coalesce(
                 CASE WHEN coalesce(trim(event_id), '') = ''
                      THEN {sql_literal(fields.event_id + ": missing event id")} END,
                 CASE WHEN position <> first_position
                      THEN {sql_literal(fields.event_id + ": duplicate event id '")} || event_id || ''' (first at '
                           || first_row || ')' END,
                 CASE WHEN coalesce(trim(event_type), '') = ''
                      THEN {sql_literal(fields.event_type + ": missing event type")} END,
                 CASE WHEN coalesce(trim(time_text), '') = ''
                      THEN {sql_literal(fields.time + ": missing timestamp")} END,
                 CASE WHEN ts IS NULL
                      THEN {sql_literal(fields.time + ": unparseable timestamp '")} || time_text || '''' END
               ) AS reason
        FROM parsed
    """)


def _neighbourhoods(connection: duckdb.DuckDBPyConnection, source: Ocel2Source) -> None:
    """ocel_objects_kept (one row per declared object id), ocel_reach (case object, object in its
    neighbourhood) and ocel_journey_links (case object, event id): rule 1 and 2 of the module."""
    connection.execute("""
        CREATE TEMP TABLE ocel_objects_kept AS
        SELECT * FROM raw_objects WHERE coalesce(trim(object_id), '') <> ''
        QUALIFY row_number() OVER (PARTITION BY object_id ORDER BY position) = 1
    """)
    connection.execute(
        """
        CREATE TEMP TABLE ocel_crossable AS
        SELECT object_id FROM ocel_objects_kept WHERE list_contains($via::VARCHAR[], object_type)
        UNION
        SELECT object_id FROM (SELECT from_object AS object_id FROM raw_object_links
                               UNION SELECT to_object FROM raw_object_links) named
        ANTI JOIN ocel_objects_kept USING (object_id)
        WHERE $missing AND object_id IS NOT NULL
        """,
        {"via": list(source.via_object_types), "missing": source.via_missing_objects},
    )
    connection.execute("""
        CREATE TEMP TABLE ocel_hops AS
        SELECT DISTINCT a, b FROM (SELECT from_object AS a, to_object AS b FROM raw_object_links
                                   UNION ALL SELECT to_object, from_object FROM raw_object_links)
        SEMI JOIN ocel_crossable c ON c.object_id = b
    """)
    # UNION (not UNION ALL) makes the recursion stop at objects already reached, so cycles end
    connection.execute(
        """
        CREATE TEMP TABLE ocel_reach AS
        WITH RECURSIVE reach(case_object, object_id) AS (
            SELECT object_id, object_id FROM ocel_objects_kept WHERE object_type = $case
            UNION
            SELECT r.case_object, h.b FROM reach r JOIN ocel_hops h ON h.a = r.object_id
        )
        SELECT * FROM reach
        """,
        {"case": source.case_object_type},
    )
    connection.execute("""
        CREATE TEMP TABLE ocel_journey_links AS
        SELECT DISTINCT r.case_object, l.event_id FROM ocel_reach r JOIN raw_event_objects l USING (object_id)
    """)


def _event_context(connection: duckdb.DuckDBPyConnection, source: Ocel2Source) -> None:
    """Per event: its objects (for the attributes) and its resource (the objects of a resource type)."""
    connection.execute(
        """
        CREATE TEMP TABLE ocel_event_context AS
        SELECT l.event_id,
               list({'id': l.object_id, 'type': o.object_type, 'qualifier': l.qualifier}
                    ORDER BY l.object_id, l.qualifier) AS objects,
               string_agg(DISTINCT l.object_id, ', ' ORDER BY l.object_id)
                   FILTER (WHERE list_contains($resources::VARCHAR[], o.object_type)) AS resource
        FROM raw_event_objects l LEFT JOIN ocel_objects_kept o USING (object_id)
        GROUP BY l.event_id
        """,
        {"resources": list(source.resource_object_types)},
    )
    for table, column, mapping in (
        ("ocel_departments", "department", source.departments),
        ("ocel_teams", "team", source.teams),
    ):
        connection.execute(
            f"CREATE TEMP TABLE {table} AS "
            f"SELECT unnest($types::VARCHAR[]) AS event_type, unnest($values::VARCHAR[]) AS {column}",
            {"types": list(mapping), "values": list(mapping.values())},
        )


def _stage_journeys(connection: duckdb.DuckDBPyConnection, source: Ocel2Source, fields: OcelFields) -> None:
    parameters = {"name": source.name}
    connection.execute(
        """
        INSERT INTO staged_events
        SELECT j.case_object, NULL, e.event_type, e.ts, d.department, t.team, c.resource, 'work', $name,
               e.event_id || '@' || j.case_object, e.source_row,
               json_object('ocel_event_id', e.event_id, 'ocel_event_type', e.event_type,
                           'case_object', j.case_object, 'objects', c.objects, 'attributes', e.attributes)
        FROM ocel_journey_links j
        JOIN ocel_checked e ON e.event_id = j.event_id AND e.reason IS NULL
        LEFT JOIN ocel_event_context c ON c.event_id = e.event_id
        LEFT JOIN ocel_departments d ON d.event_type = e.event_type
        LEFT JOIN ocel_teams t ON t.event_type = e.event_type
        """,
        parameters,
    )
    # the record as the log held it; a record without a usable id is named by where it sits in the log
    connection.execute(
        f"""
        INSERT INTO staged_rejects
        SELECT $name, CASE WHEN kept THEN e.event_id ELSE e.source_row END, e.source_row,
               json_object({sql_literal(fields.event_id)}, e.event_id, {sql_literal(fields.event_type)}, e.event_type,
                           {sql_literal(fields.time)}, e.time_text, 'attributes', e.attributes, 'objects', c.objects),
               {REASON_FIELD_SQL}, reason
        FROM ocel_checked e LEFT JOIN ocel_event_context c ON c.event_id = e.event_id AND e.kept
        WHERE reason IS NOT NULL
        """,
        parameters,
    )
    closed = "max(e.ts)" if source.cases_complete else "NULL::TIMESTAMPTZ"
    connection.execute(
        f"""
        INSERT INTO staged_journeys
        SELECT e.journey_id, $type, min(e.ts), {closed}, {not source.cases_complete}, NULL, NULL, NULL, NULL, $name,
               any_value(json_object('ocel_object_type', o.object_type, 'attributes', o.attributes))
        FROM staged_events e JOIN ocel_objects_kept o ON o.object_id = e.journey_id
        GROUP BY e.journey_id
        """,
        {**parameters, "type": source.journey_type},
    )


def _stage_log(connection: duckdb.DuckDBPyConnection, source: Ocel2Source) -> None:
    """The whole log into the OCEL tables: nothing here depends on the case notion."""
    parameters = {"name": source.name}
    for statement in (
        "INSERT INTO staged_ocel_events SELECT $name, event_id, event_type, ts, source_row, attributes "
        "FROM ocel_checked WHERE kept",
        "INSERT INTO staged_objects SELECT $name, object_id, object_type, source_row, attributes "
        "FROM ocel_objects_kept",
        "INSERT INTO staged_event_objects SELECT $name, event_id, object_id, qualifier FROM raw_event_objects",
        "INSERT INTO staged_object_links SELECT $name, from_object, to_object, qualifier FROM raw_object_links",
    ):
        connection.execute(statement, parameters)


def _quality(connection: duckdb.DuckDBPyConnection, source: Ocel2Source, copies: JourneyCopies) -> list[dict[str, Any]]:
    case = source.case_object_type
    several = f"OCEL events that reach several '{case}' objects: one journey event each (id '<event>@<{case}>')"
    if copies.events:
        several += (
            f"; {copies.extra_copies:,} extra journey events, event type '{copies.widest_event_type}' "
            f"{copies.widest_fold}-fold at most"
        )
    copied = {"check": "ocel_events_in_several_journeys", "count": copies.events, "detail": several}
    checks = {
        "ocel_events_without_case_object": (
            f"OCEL events that reach no '{case}' object: kept in ocel_events, in no journey",
            "SELECT count(*) FROM ocel_checked e ANTI JOIN ocel_journey_links j USING (event_id) WHERE e.kept",
        ),
        "ocel_case_objects_without_journey": (
            f"'{case}' objects whose neighbourhood has no valid event: no journey (kept in objects)",
            f"SELECT count(*) FROM ocel_objects_kept WHERE object_type = {sql_literal(case)} "
            "AND object_id NOT IN (SELECT journey_id FROM staged_events)",
        ),
        "ocel_event_links_to_missing_objects": (
            "event-to-object links naming an object the log does not declare (kept in event_objects)",
            "SELECT count(*) FROM raw_event_objects ANTI JOIN ocel_objects_kept USING (object_id)",
        ),
        "ocel_event_links_from_missing_events": (
            "event-to-object links naming an event the log does not have (kept in event_objects)",
            "SELECT count(*) FROM raw_event_objects l ANTI JOIN (SELECT event_id FROM ocel_checked WHERE kept) e "
            "USING (event_id)",
        ),
        "ocel_object_links_to_missing_objects": (
            "object-to-object links with an end the log does not declare (kept in object_links)",
            "SELECT count(*) FROM raw_object_links WHERE from_object NOT IN (SELECT object_id FROM ocel_objects_kept) "
            "OR to_object NOT IN (SELECT object_id FROM ocel_objects_kept) OR from_object IS NULL OR to_object IS NULL",
        ),
        "ocel_objects_repeated_or_without_id": (
            "objects listed again under an id already read (the first is kept) or without an id (dropped)",
            "SELECT (SELECT count(*) FROM raw_objects) - (SELECT count(*) FROM ocel_objects_kept)",
        ),
    }
    return [copied] + [
        {"check": name, "count": one_value(connection.execute(query)), "detail": detail}
        for name, (detail, query) in checks.items()
    ]


def stage_ocel(
    connection: duckdb.DuckDBPyConnection, source: Ocel2Source, fields: OcelFields
) -> tuple[int, list[dict[str, Any]], JourneyCopies]:
    """Fills the staging tables from the raw tables; returns the events ledger's records read (journey
    events + rejected OCEL events), the quality observations and the events copied into several journeys."""
    _check_events(connection, source, fields)
    _neighbourhoods(connection, source)
    _event_context(connection, source)
    _stage_journeys(connection, source, fields)
    _stage_log(connection, source)
    rows_read = one_value(
        connection.execute("SELECT (SELECT count(*) FROM staged_events) + (SELECT count(*) FROM staged_rejects)")
    )
    copies = count_journey_copies(connection, source.name)
    return rows_read, _quality(connection, source, copies), copies
