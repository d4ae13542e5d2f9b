"""Benchmark: load N events from a ServiceNow-shaped PostgreSQL database into the store; prints events/s,
peak memory, and how fast PostgreSQL alone delivers the same rows.

    .venv/bin/python bench/load_postgres.py --events 10000000

Figures, not a test. Needs the PostgreSQL the connector tests use (127.0.0.1:5432, trust authentication,
user postgres, database test). A uniquely named schema is created there and dropped at the end, also when
the run is interrupted.

1. A child process creates the four tables (task, sys_audit, sysapproval_approver, interaction) and fills
   them inside PostgreSQL with generate_series: N/14 requested items spread over two years, each with
   7 state changes and 4 assignment-group changes in sys_audit, one approval and one customer contact,
   so 14 events per task. The tables are UNLOGGED (no WAL: quicker to fill, read the same way), with
   primary keys and the indexes a replica has on the updated-at and parent columns. The same child then
   measures the database alone: the connector's own queries piped through psql's COPY into /dev/null,
   DuckDB's postgres extension copying the attached tables into DuckDB (parallel scan), and DuckDB
   running the connector's queries with postgres_query (one stream per query, which is how the connector
   reads), each into a DuckDB table and nothing else.
2. This process runs extract_and_load with a `servicenow_postgres` source into a fresh store, then again
   (the re-run reads only the tasks updated since the watermark, less the look-back). Its peak resident
   memory is the loads' alone.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

import duckdb
from store_floor import rate, store_write_floor  # a sibling script

import eventlogs.pipeline
from eventlogs.duckdb_extensions import load_postgres_extension
from eventlogs.pipeline import extract_and_load
from eventlogs.sql_text import sql_literal

HOST, PORT, DATABASE, USER = "127.0.0.1", 5432, "test", "postgres"
EVENTS_PER_TASK = 14  # the task itself, 7 state changes, 4 assignment changes, 1 approval, 1 contact
SPAN_SECONDS = 730 * 86400  # tasks are opened over two years
# sys_audit rows of a task: (hours after opening, field, new value); oldvalue is the row before's
AUDIT_PLAN = [
    (0, "assignment_group", "Service Desk L1"),
    (20, "state", "2"),
    (40, "state", "10"),
    (60, "assignment_group", "Line Management"),
    (80, "state", "11"),
    (100, "state", "20"),
    (120, "assignment_group", "Procurement Hardware"),
    (140, "state", "21"),
    (160, "state", "22"),
    (180, "assignment_group", "Service Desk L2"),
    (200, "state", "3"),
]
STATES = {"2": "Work in progress", "10": "Sent for approval", "11": "Approved by manager", "20": "Order placed"}
STATES |= {"21": "Delivered", "22": "Installed", "3": "Closed"}
CLOSED_AFTER_HOURS = AUDIT_PLAN[-1][0]

CONFIG = """
[sources.tickets]
kind = "servicenow_postgres"
host = "{host}"
port = {port}
database = "{database}"
schema = "{schema}"
user = "{user}"
# no password_env: trust authentication
lookback = "2h"
pseudonymise_resources = {pseudonymise}
opened_activity = "Request submitted"
opened_department = "Service Desk"
opened_team = "Service Desk L1"
contact_activity = "Customer contact"
approval_department = "Management"
approval_team = "Line Management"

[sources.tickets.journey_types]
"hardware/laptop" = "laptop_request"
"software/software" = "software_request"

[sources.tickets.state_activities]
{states}

[sources.tickets.approval_activities]
approved = "Approved"
rejected = "Rejected"

[sources.tickets.departments]
"Service Desk L1" = "Service Desk"
"Service Desk L2" = "Service Desk"
"Line Management" = "Management"
"Procurement Hardware" = "Procurement"
"""

# the queries the connector sends on a first run (eventlogs.sources.servicenow.stage._fetch without `since`)
CONNECTOR_QUERIES = {
    "task": "SELECT * FROM {s}.task WHERE 1 = 1",
    "sys_audit": "SELECT * FROM {s}.sys_audit WHERE tablename = 'sc_req_item' "
    "AND fieldname IN ('state', 'assignment_group') AND 1 = 1",
    "sysapproval_approver": "SELECT * FROM {s}.sysapproval_approver WHERE 1 = 1",
    "interaction": "SELECT * FROM {s}.interaction WHERE 1 = 1",
}


def connection_string(schema: str) -> str:
    # application_name: the clean-up can end this benchmark's own server sessions, and no others
    return f"host={HOST} port={PORT} dbname={DATABASE} user={USER} application_name={schema}"


def admin(schema: str) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    load_postgres_extension(connection)
    connection.execute(f"ATTACH {sql_literal(connection_string(schema))} AS pg (TYPE postgres)")
    return connection


def run_on_server(connection: duckdb.DuckDBPyConnection, sql: str) -> None:
    connection.execute(f"CALL postgres_execute('pg', {sql_literal(sql)})")


def _case(column: str, pairs: list[tuple[str, str]]) -> str:
    return "CASE " + " ".join(f"WHEN {column} = {k} THEN {v}" for k, v in pairs) + " END"


def create_tables(connection: duckdb.DuckDBPyConnection, schema: str, tasks: int) -> None:
    s = f'"{schema}"'
    text = "varchar(80)"
    step = SPAN_SECONDS / tasks
    # as the connector tests keep them: task.sys_updated_on is ServiceNow's UTC text, the rest timestamps
    run_on_server(
        connection,
        f"""
        CREATE UNLOGGED TABLE {s}.task (sys_id varchar(32), number {text}, category {text},
            subcategory {text}, priority {text}, caller_id {text}, opened_by {text}, assignment_group {text},
            state {text}, opened_at timestamp, closed_at timestamp, sys_updated_on varchar(19));
        CREATE UNLOGGED TABLE {s}.sys_audit (sys_id varchar(32), tablename {text}, documentkey varchar(32),
            fieldname {text}, oldvalue text, newvalue text, sys_created_on timestamp, sys_created_by {text});
        CREATE UNLOGGED TABLE {s}.sysapproval_approver (sys_id varchar(32), sysapproval varchar(32),
            approver {text}, state {text}, sys_created_on timestamp, sys_updated_on timestamp);
        CREATE UNLOGGED TABLE {s}.interaction (sys_id varchar(32), number {text}, type {text},
            opened_at timestamp, opened_for {text}, parent varchar(32), short_description {text});
        """,
    )
    tasks_sql = f"""
        SELECT k, md5('task' || k) AS task_id,
               timestamp '2024-01-01 00:00:00' + k * interval '{step:.6f} seconds' AS opened
        FROM generate_series(0, {tasks - 1}) k"""
    closed = f"opened + interval '{CLOSED_AFTER_HOURS} hours'"
    run_on_server(
        connection,
        f"""
        INSERT INTO {s}.task
        SELECT task_id, 'RITM' || lpad(k::text, 8, '0'),
               (ARRAY['hardware', 'software', 'facilities'])[1 + k % 3],
               (ARRAY['laptop', 'software', 'desk'])[1 + k % 3],
               (1 + k % 4)::text, 'caller ' || (k * 7 % 5000), 'caller ' || (k * 7 % 5000),
               'Service Desk L2', '3', opened, {closed}, to_char({closed}, 'YYYY-MM-DD HH24:MI:SS')
        FROM ({tasks_sql}) t
        """,
    )
    plan = [(str(i), (hours, field, value)) for i, (hours, field, value) in enumerate(AUDIT_PLAN)]
    previous = {"state": "'1'", "assignment_group": "NULL"}
    old_values = []
    for i, (_, field, value) in plan:
        old_values.append((i, previous[field]))
        previous[field] = sql_literal(value)
    run_on_server(
        connection,
        f"""
        INSERT INTO {s}.sys_audit
        SELECT md5('audit' || k || '-' || j), 'sc_req_item', task_id,
               {_case("j", [(i, sql_literal(field)) for i, (_, field, _) in plan])},
               {_case("j", old_values)},
               {_case("j", [(i, sql_literal(value)) for i, (_, _, value) in plan])},
               opened + {_case("j", [(i, f"interval '{hours} hours'") for i, (hours, _, _) in plan])},
               'agent ' || ((k + j) * 13 % 400)
        FROM ({tasks_sql}) t CROSS JOIN generate_series(0, {len(AUDIT_PLAN) - 1}) j
        """,
    )
    run_on_server(
        connection,
        f"""
        INSERT INTO {s}.sysapproval_approver
        SELECT md5('approval' || k), task_id, 'manager ' || (k % 300),
               CASE WHEN k % 10 = 0 THEN 'rejected' ELSE 'approved' END,
               opened + interval '45 hours', opened + interval '70 hours'
        FROM ({tasks_sql}) t;
        INSERT INTO {s}.interaction
        SELECT md5('interaction' || k), 'IMS' || lpad(k::text, 8, '0'),
               (ARRAY['phone', 'email', 'chat'])[1 + k % 3], opened + interval '110 hours',
               'caller ' || (k * 7 % 5000), task_id, 'Where is my request?'
        FROM ({tasks_sql}) t;
        """,
    )
    # what a replica has: primary keys, and indexes on the columns the incremental read filters by
    run_on_server(
        connection,
        f"""
        ALTER TABLE {s}.task ADD PRIMARY KEY (sys_id);
        ALTER TABLE {s}.sys_audit ADD PRIMARY KEY (sys_id);
        ALTER TABLE {s}.sysapproval_approver ADD PRIMARY KEY (sys_id);
        ALTER TABLE {s}.interaction ADD PRIMARY KEY (sys_id);
        CREATE INDEX ON {s}.task (sys_updated_on);
        CREATE INDEX ON {s}.sys_audit (documentkey);
        CREATE INDEX ON {s}.sysapproval_approver (sysapproval);
        CREATE INDEX ON {s}.interaction (parent);
        ANALYZE {s}.task; ANALYZE {s}.sys_audit; ANALYZE {s}.sysapproval_approver; ANALYZE {s}.interaction;
        """,
    )
    # one read of every row first (it sets the rows' hint bits), so every measurement meets the same tables
    for table in CONNECTOR_QUERIES:
        connection.execute(f"SELECT * FROM postgres_query('pg', 'SELECT count(*) FROM {s}.{table}')").fetchall()


def measure_database(connection: duckdb.DuckDBPyConnection, schema: str, events: int) -> None:
    s = f'"{schema}"'
    connection.execute("CALL pg_clear_cache()")  # the tables were made after ATTACH read the catalog
    queries = {table: sql.format(s=s) for table, sql in CONNECTOR_QUERIES.items()}
    psql = shutil.which("psql")
    if psql:
        started = time.perf_counter()
        for sql in queries.values():
            subprocess.run(
                [psql, "-X", "-q", "-d", connection_string(schema), "-c", f"COPY ({sql}) TO STDOUT"],
                stdout=subprocess.DEVNULL,
                check=True,
            )
        print(f"database alone, psql COPY of the connector's queries to /dev/null: {rate(events, _since(started))}")
    else:
        print("database alone, psql COPY: skipped (no psql on PATH)")
    started = time.perf_counter()
    for table in queries:
        connection.execute(f"CREATE TABLE copy_{table} AS SELECT * FROM pg.{s}.{table}")
    print(f"database alone, DuckDB copying the attached tables (parallel scan): {rate(events, _since(started))}")
    for table in queries:
        connection.execute(f"DROP TABLE copy_{table}")
    started = time.perf_counter()
    for table, sql in queries.items():
        connection.execute(f"CREATE TABLE query_{table} AS SELECT * FROM postgres_query('pg', {sql_literal(sql)})")
    print(f"database alone, DuckDB postgres_query of the connector's queries: {rate(events, _since(started))}")


def _since(started: float) -> float:
    return time.perf_counter() - started


def prepare(schema: str, events: int) -> None:
    tasks = events // EVENTS_PER_TASK
    with admin(schema) as connection:
        started = time.perf_counter()
        run_on_server(connection, f'CREATE SCHEMA "{schema}"')
        create_tables(connection, schema, tasks)
        size = connection.execute(
            "SELECT * FROM postgres_query('pg', "
            + sql_literal(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
                f"ON n.oid = c.relnamespace WHERE n.nspname = {sql_literal(schema)} AND c.relkind = 'r'"
            )
            + ")"
        ).fetchone()[0]
        print(
            f"prepared {tasks:,} tasks = {tasks * EVENTS_PER_TASK:,} events in PostgreSQL schema {schema} "
            f"({int(size) / 2**20:,.0f} MB with indexes) in {_since(started):.1f} s",
            flush=True,
        )
        measure_database(connection, schema, tasks * EVENTS_PER_TASK)


def drop(schema: str) -> None:
    """Ends this benchmark's own server sessions (a killed child's may still be running) and drops the schema."""
    with admin(f"{schema}_cleanup") as connection:
        connection.execute(
            "SELECT * FROM postgres_query('pg', "
            + sql_literal(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = {sql_literal(schema)}"
            )
            + ")"
        ).fetchall()
        run_on_server(connection, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    print(f"dropped schema {schema}")


@contextmanager
def timed(module: ModuleType, name: str, totals: dict[str, float]) -> Iterator[None]:
    """Adds the time spent in module.name to totals[name] while the block runs."""
    original: Callable[..., Any] = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            totals[name] = totals.get(name, 0.0) + _since(started)
            totals[f"{name} peak MB"] = peak_memory_mb()

    setattr(module, name, wrapper)
    try:
        yield
    finally:
        setattr(module, name, original)


def load(config: Path, store: Path) -> tuple[Any, float, dict[str, float]]:
    totals: dict[str, float] = {}
    with (
        timed(eventlogs.pipeline, "stage_source", totals),
        timed(eventlogs.pipeline, "load_staged", totals),
    ):
        started = time.perf_counter()
        (result,) = extract_and_load(config, store)
        return result, _since(started), totals


def _parts(totals: dict[str, float]) -> str:
    extract, store = totals["stage_source"], totals["load_staged"]
    return (
        # the audit, approval and interaction rows stream from PostgreSQL into the checks: no separate fetch time
        f"  extraction (fetch from PostgreSQL, checks, mapping, staging to Parquet) {extract:.1f} s, "
        f"load into the store {store:.1f} s\n"
        f"  peak resident memory so far: {totals['stage_source peak MB']:,.0f} MB when the extraction ended, "
        f"{totals['load_staged peak MB']:,.0f} MB when the load ended"
    )


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _interrupted(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--pseudonymise", action="store_true", help="include pseudonymising resources")
    parser.add_argument("--prepare", metavar="SCHEMA", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.events < EVENTS_PER_TASK:
        parser.error(f"--events must be at least {EVENTS_PER_TASK}")
    signal.signal(signal.SIGTERM, _interrupted)  # a kill runs the clean-up too
    if arguments.prepare:
        prepare(arguments.prepare, arguments.events)
        return
    schema = f"jm_bench_{uuid.uuid4().hex[:10]}"
    events = arguments.events // EVENTS_PER_TASK * EVENTS_PER_TASK
    try:
        # filling the tables and measuring the database alone run in a child process, so the peak memory
        # below is the loads'
        subprocess.run([sys.executable, __file__, "--prepare", schema, "--events", str(arguments.events)], check=True)
        with tempfile.TemporaryDirectory(prefix="journey-bench-") as folder:
            config = Path(folder) / "bench.toml"
            store = Path(folder) / "store.duckdb"
            config.write_text(
                CONFIG.format(
                    host=HOST,
                    port=PORT,
                    database=DATABASE,
                    schema=schema,
                    user=USER,
                    pseudonymise=str(arguments.pseudonymise).lower(),
                    states="\n".join(f'"{code}" = "{activity}"' for code, activity in STATES.items()),
                )
            )
            result, seconds, totals = load(config, store)
            if (result.rows_loaded, result.rows_rejected) != (events, 0):
                raise SystemExit(f"expected {events:,} events loaded and none rejected, got {result}")
            print(f"extract + load: {rate(result.rows_loaded, seconds)}")
            print(_parts(totals))
            again, seconds, totals = load(config, store)
            print(
                f"re-run (incremental, all already loaded): {seconds:.1f} s, {again.rows_read:,} records read "
                f"again since the watermark less the look-back, {again.rows_loaded:,} new, "
                f"{again.rows_duplicate:,} duplicates"
            )
            print(_parts(totals))
            peak = peak_memory_mb()
            print(f"peak resident memory of the loads: {peak:,.0f} MB ({peak * 2**20 / events:.0f} bytes/event)")
            print(store_write_floor(store))
    finally:
        drop(schema)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt as interrupt:
        print(f"interrupted ({interrupt or 'Ctrl-C'})", file=sys.stderr)
        sys.exit(130)
