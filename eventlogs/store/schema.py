"""The canonical event store's tables: events, journeys, rejects, load_runs and quality checks.

Object-centric sources (OCEL 2.0) keep their whole log beside the journeys: ocel_events, objects,
event_objects and object_links, with their own ledger ocel_load_runs.
"""

from __future__ import annotations

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    journey_id      VARCHAR NOT NULL,
    activity        VARCHAR NOT NULL,
    ts              TIMESTAMPTZ NOT NULL,   -- UTC instant
    department      VARCHAR,
    team            VARCHAR,
    resource        VARCHAR,
    event_kind      VARCHAR NOT NULL,       -- work | contact (customer chasing) | assignment
    source          VARCHAR NOT NULL,
    source_event_id VARCHAR NOT NULL,       -- unique within its source; the idempotency key
    source_row      VARCHAR,                -- where the raw record sits in its source
    attributes      JSON,
    load_run_id     VARCHAR NOT NULL
    -- added by add_event_columns when a source stages them (connection.OPTIONAL_EVENT_COLUMNS):
    -- lifecycle VARCHAR (start | complete), instance VARCHAR (pairs a start with its complete),
    -- sequence BIGINT (file sources: the order at equal times, see connection.journey_order_sql)
);
CREATE TABLE IF NOT EXISTS journeys (
    journey_id   VARCHAR PRIMARY KEY,
    journey_type VARCHAR NOT NULL,
    opened_at    TIMESTAMPTZ,
    closed_at    TIMESTAMPTZ,
    is_open      BOOLEAN NOT NULL,
    category     VARCHAR,
    priority     VARCHAR,
    caller       VARCHAR,
    state        VARCHAR,
    source       VARCHAR NOT NULL,
    attributes   JSON,
    load_run_id  VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS rejects (
    source           VARCHAR NOT NULL,
    source_record_id VARCHAR NOT NULL,
    source_row       VARCHAR,
    record           JSON,                  -- the raw record as the source held it
    field            VARCHAR NOT NULL,
    reason           VARCHAR NOT NULL,
    run_id           VARCHAR NOT NULL,      -- the run that first rejected it
    PRIMARY KEY (source, source_record_id, reason)
);
CREATE TABLE IF NOT EXISTS load_runs (
    run_id         VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,
    started_at     TIMESTAMPTZ NOT NULL,
    finished_at    TIMESTAMPTZ NOT NULL,
    rows_read      BIGINT NOT NULL,
    rows_loaded    BIGINT NOT NULL,
    rows_rejected  BIGINT NOT NULL,
    rows_duplicate BIGINT NOT NULL,          -- already in the store from an earlier run
    PRIMARY KEY (run_id, source)
);
CREATE TABLE IF NOT EXISTS watermarks (
    source      VARCHAR PRIMARY KEY,
    cursor_at   TIMESTAMPTZ NOT NULL,        -- the largest updated-at loaded from this source
    run_id      VARCHAR NOT NULL
);
-- where the watermark was read: a source pointed at another file or database starts again from nothing
ALTER TABLE watermarks ADD COLUMN IF NOT EXISTS location VARCHAR;
CREATE TABLE IF NOT EXISTS quality_checks (
    run_id     VARCHAR NOT NULL,
    source     VARCHAR NOT NULL,
    check_name VARCHAR NOT NULL,
    count      BIGINT NOT NULL,
    detail     VARCHAR,
    PRIMARY KEY (run_id, source, check_name)
);
-- The OCEL 2.0 log as read, including events that reach no journey and links to objects that do not
-- exist (no foreign keys on purpose). Merged on the keys in staging.OCEL_TABLES.
CREATE TABLE IF NOT EXISTS ocel_events (
    source      VARCHAR NOT NULL,
    event_id    VARCHAR NOT NULL,
    event_type  VARCHAR,
    ts          TIMESTAMPTZ,                -- NULL when the log's time is missing or unparseable (see rejects)
    source_row  VARCHAR,
    attributes  JSON,                       -- {name: value}
    load_run_id VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS objects (
    source      VARCHAR NOT NULL,
    object_id   VARCHAR NOT NULL,
    object_type VARCHAR,
    source_row  VARCHAR,
    attributes  JSON,                       -- [{name, time, value}]: initial values and every change
    load_run_id VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS event_objects (
    source      VARCHAR NOT NULL,
    event_id    VARCHAR,
    object_id   VARCHAR,
    qualifier   VARCHAR,
    load_run_id VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS object_links (
    source      VARCHAR NOT NULL,
    from_object VARCHAR,
    to_object   VARCHAR,
    qualifier   VARCHAR,
    load_run_id VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS ocel_load_runs (
    run_id         VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,
    table_name     VARCHAR NOT NULL,
    rows_read      BIGINT NOT NULL,
    rows_loaded    BIGINT NOT NULL,
    rows_duplicate BIGINT NOT NULL,         -- already in the store, or repeated in the log
    rows_updated   BIGINT NOT NULL,         -- of the duplicates: already there with other values, replaced
    PRIMARY KEY (run_id, source, table_name)
);
"""
