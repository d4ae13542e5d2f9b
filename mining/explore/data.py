"""The explorer's copy of a store: opened read-only, its scope (mining.scope.scope: the one definition of
steps, waits and working time) coded into compact in-memory tables, the file closed again, so a request
is one filtered aggregation and a nightly load never waits for the explorer.

In-memory tables (DuckDB, one database; each call takes its own cursor):
- activities, departments, teams, resources: (code, name) dictionaries of the steps' names;
- variants: variant_id, activities (the list);
- journeys: jid (code), journey_id, journey_type, opened_at, closed_at, is_open, lead_time_hours (finished:
  lead; open: age at the extraction; in the time basis), lead_hours / lead_working_hours / open_hours /
  open_working_hours / censored_at (as the scope has them), variant_id, steps, contacts;
- steps: jid, position, ts, act, dep, team, res (codes), prev_act, prev_dep, prev_team (the previous
  step's codes, NULL for the first), wait (the wait into the step in the basis, pauses left out as a
  handover's wait is), paused (in the basis), and the scope's own wait, pause, clock and processing columns;
- contacts: jid, ts, activity, department, team (customer contacts, never steps);
- journey_attributes: jid, key, value (text): the journeys' attributes, and category, priority and state
  where the attributes do not name them.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from eventlogs.one_row import one_value
from eventlogs.sql_text import sql_literal
from eventlogs.store import connect_store
from mining.design.journey import DesignedJourney
from mining.explore.step_index import StepIndex, build_step_index
from mining.scope.scope import JOURNEYS_VIEW, WORK_EVENTS_VIEW, Scope, define_scope
from mining.scope.time_rules import TimeRules

MEMORY_SHARE = 0.6  # of the machine's memory the copy may use while it is built (see _memory_limit)
VARIANT_ID_DIGITS = 12  # a variant's id: this many hex digits of sha256 of its activities joined by U+001F
DICTIONARIES = {"activities": "activity", "departments": "department", "teams": "team", "resources": "resource"}

_JOURNEYS_SQL = f"""
    WITH paths AS (
        SELECT journey_id, left(sha256(string_agg(activity, chr(31) ORDER BY position)), {VARIANT_ID_DIGITS})
                   AS variant_id, count(*) AS steps, list(activity ORDER BY position) AS activities
        FROM {WORK_EVENTS_VIEW} GROUP BY journey_id
    ), contacts AS (
        SELECT journey_id, count(*) AS contacts FROM events WHERE event_kind = 'contact' GROUP BY journey_id
    )
    SELECT (row_number() OVER (ORDER BY j.journey_id) - 1)::INTEGER AS jid, j.journey_id, j.journey_type,
           j.opened_at, j.closed_at, j.is_open,
           CASE WHEN j.is_open THEN j.{{open}} ELSE j.{{lead}} END AS lead_time_hours,
           j.lead_hours, j.lead_working_hours, j.open_hours, j.open_working_hours, j.censored_at,
           coalesce(p.variant_id, left(sha256(''), {VARIANT_ID_DIGITS})) AS variant_id,
           coalesce(p.steps, 0)::INTEGER AS steps, coalesce(c.contacts, 0)::INTEGER AS contacts,
           j.attributes::VARCHAR AS attributes, j.category, j.priority, j.state,
           coalesce(p.activities, []::VARCHAR[]) AS activities
    FROM {JOURNEYS_VIEW} j LEFT JOIN paths p USING (journey_id) LEFT JOIN contacts c USING (journey_id)
"""

_COPIED_JOURNEYS_SQL = "SELECT * EXCLUDE (attributes, category, priority, state, activities) FROM explorer_journeys"
# each variant's activities, once (a journey holds only its variant's id)
_VARIANTS_SQL = "SELECT variant_id, any_value(activities) AS activities FROM explorer_journeys GROUP BY variant_id"

_STEPS_SQL = f"""
    SELECT j.jid, w.position::INTEGER AS position, w.ts, a.code AS act, d.code AS dep, t.code AS team,
           r.code AS res,
           lag(a.code) OVER g AS prev_act, lag(d.code) OVER g AS prev_dep, lag(t.code) OVER g AS prev_team,
           {{wait}} AS wait, {{paused}} AS paused,
           w.wait_hours, w.paused_hours, w.wait_working_hours, w.paused_working_hours, w.calendar, w.clock_hours,
           w.completed_at, w.processing_hours, w.processing_working_hours, w.lifecycle
    FROM {WORK_EVENTS_VIEW} w JOIN explorer_journeys j USING (journey_id)
    LEFT JOIN explorer_activities a ON a.name = w.activity
    LEFT JOIN explorer_departments d ON d.name = w.department
    LEFT JOIN explorer_teams t ON t.name = w.team
    LEFT JOIN explorer_resources r ON r.name = w.resource
    WINDOW g AS (PARTITION BY w.journey_id ORDER BY w.position)
    ORDER BY j.jid, w.position
"""

_CONTACTS_SQL = """
    SELECT j.jid, e.ts, e.activity, e.department, e.team, e.resource
    FROM events e JOIN explorer_journeys j USING (journey_id) WHERE e.event_kind = 'contact'
    ORDER BY j.jid, e.ts
"""

_ATTRIBUTES_SQL = """
    WITH given AS (
        SELECT j.jid, a.key, CASE WHEN a.type = 'VARCHAR' THEN a.value ->> '$' ELSE a.value::VARCHAR END AS value
        FROM explorer_journeys j, json_each(j.attributes::JSON) a
        WHERE j.attributes IS NOT NULL AND json_type(j.attributes::JSON) = 'OBJECT'
    ), columns AS (
        SELECT jid, key, value FROM (
            SELECT jid, 'category' AS key, category AS value FROM explorer_journeys
            UNION ALL SELECT jid, 'priority', priority FROM explorer_journeys
            UNION ALL SELECT jid, 'state', state FROM explorer_journeys
        ) c WHERE value IS NOT NULL AND NOT EXISTS (SELECT 1 FROM given g WHERE g.jid = c.jid AND g.key = c.key)
    )
    SELECT * FROM given UNION ALL SELECT * FROM columns
"""


def _memory_limit() -> str:
    """DuckDB's memory limit while the copy is built: the store's usual limit (eventlogs.work_connection,
    1 GB) is too small to number 10 million steps, and the explorer keeps its copy in memory anyway."""
    given = os.environ.get("JOURNEY_EXPLORER_MEMORY_LIMIT")
    if given:
        return given
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{int(total * MEMORY_SHARE) // 2**20}MB"


def _file_identity(path: Path) -> tuple[int, int, int]:
    status = os.stat(path)
    return status.st_ino, status.st_mtime_ns, status.st_size


def _copy(source: duckdb.DuckDBPyConnection, target: duckdb.DuckDBPyConnection, name: str, sql: str) -> None:
    """`sql` run on the store's connection becomes table `name` of the in-memory database."""
    table = source.execute(sql).fetch_arrow_table()
    target.register("explorer_incoming", table)
    target.execute(f"CREATE TABLE {name} AS FROM explorer_incoming")
    target.unregister("explorer_incoming")


@dataclass(frozen=True)
class Snapshot:
    connection: duckdb.DuckDBPyConnection
    identity: tuple[int, int, int]
    extracted_at: datetime
    built_at: datetime
    working_time: bool
    index: StepIndex
    lifecycle: bool  # the store pairs starts with completes (Scope.lifecycle)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.connection.cursor()


def _build(store: Path, time_rules: TimeRules | None) -> Snapshot:
    identity = _file_identity(store) if store.exists() else (0, 0, 0)
    source = connect_store(store, read_only=True)
    try:
        source.execute("SET enable_progress_bar = false")
        source.execute(f"SET memory_limit = {sql_literal(_memory_limit())}")
        scope = define_scope(source, time_rules=time_rules, materialise=True)
        basis = "working" if scope.working_time else "calendar"
        lead, so_far = (
            ("lead_working_hours", "open_working_hours") if basis == "working" else ("lead_hours", "open_hours")
        )
        # a handover's wait (mining.discovery.handovers.handover_instances): pauses left out
        wait, paused = (
            ("wait_working_hours", "paused_working_hours")
            if basis == "working"
            else ("wait_hours - paused_hours", "paused_hours")
        )
        memory = duckdb.connect()
        memory.execute("SET enable_progress_bar = false")
        source.execute(f"CREATE TEMP TABLE explorer_journeys AS {_JOURNEYS_SQL.format(lead=lead, open=so_far)}")
        for table, column in DICTIONARIES.items():
            source.execute(f"""
                CREATE TEMP TABLE explorer_{table} AS
                SELECT (row_number() OVER (ORDER BY {column}) - 1)::INTEGER AS code, {column} AS name
                FROM (SELECT DISTINCT {column} FROM {WORK_EVENTS_VIEW} WHERE {column} IS NOT NULL)""")
            _copy(source, memory, table, f"FROM explorer_{table}")
        _copy(source, memory, "journeys", _COPIED_JOURNEYS_SQL)
        _copy(source, memory, "variants", _VARIANTS_SQL)
        _copy(source, memory, "steps", _STEPS_SQL.format(wait=wait, paused=paused))
        _copy(source, memory, "contacts", _CONTACTS_SQL)
        _copy(source, memory, "journey_attributes", _ATTRIBUTES_SQL)
        index = build_step_index(memory)
        return Snapshot(
            memory, identity, scope.extracted_at, datetime.now(UTC), scope.working_time, index, scope.lifecycle
        )
    finally:
        source.close()


class ExplorerData:
    """A store as the explorer reads it (see the module's docstring). `open` copies it; `cursor` gives each
    call its own cursor on the current copy; `reopen_if_changed` rebuilds when the file was replaced
    (another inode, time or size: a snapshot swapped in) and swaps the copy in one assignment, so calls
    under way finish on the old one."""

    def __init__(self, store: Path, journey: DesignedJourney | None, time_rules: TimeRules | None, built: Snapshot):
        self.store = store
        self.journey = journey
        self.time_rules = time_rules or TimeRules()
        self._built = built
        self._rebuilding = threading.Lock()

    @classmethod
    def open(
        cls, store: Path, journey: DesignedJourney | None = None, time_rules: TimeRules | None = None
    ) -> ExplorerData:
        return cls(store, journey, time_rules, _build(store, time_rules))

    @property
    def extracted_at(self) -> datetime:
        return self._built.extracted_at

    @property
    def built_at(self) -> datetime:
        return self._built.built_at

    @property
    def working_time(self) -> bool:
        """Waits and lead times in working time (time rules with calendars or pauses), else calendar."""
        return self._built.working_time

    @property
    def index(self) -> StepIndex:
        """The steps as sorted arrays (step_index.py), for the map and the journey list."""
        return self._built.index

    @property
    def wait_basis(self) -> str:
        return "working" if self.working_time else "calendar"

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor of its own on the current copy (temp views made on it are its own)."""
        return self._built.cursor()

    def snapshot(self) -> Snapshot:
        """The current copy: a call that reads both the tables and the index takes one snapshot, so a
        reopen in between cannot mix two copies."""
        return self._built

    def reopen_if_changed(self) -> bool:
        with self._rebuilding:
            try:
                identity = _file_identity(self.store)
            except FileNotFoundError:
                return False  # between a snapshot's removal and its replacement: keep answering
            if identity == self._built.identity:
                return False
            self._built = _build(self.store, self.time_rules)
            return True

    def scope(self, cursor: duckdb.DuckDBPyConnection, condition: str, params: list[object]) -> Scope:
        """A `Scope` on `cursor` over the journeys the condition (over `journeys` j) keeps: the views
        scope_journeys and scope_work_events rebuilt from the coded copy, for the analyses that take a
        scope (bottlenecks, norms). Views hold no parameters, so the kept journeys go to a temp table."""
        cursor.execute(
            f"CREATE OR REPLACE TEMP TABLE explorer_kept AS SELECT j.jid FROM journeys j WHERE {condition}", params
        )
        cursor.execute(f"""
            CREATE OR REPLACE TEMP VIEW {JOURNEYS_VIEW} AS
            SELECT j.* EXCLUDE (jid, lead_time_hours, variant_id, steps, contacts)
            FROM journeys j SEMI JOIN explorer_kept k USING (jid)""")
        cursor.execute(f"""
            CREATE OR REPLACE TEMP VIEW {WORK_EVENTS_VIEW} AS
            SELECT j.journey_id, a.name AS activity, s.ts, d.name AS department, t.name AS team,
                   r.name AS resource, NULL::VARCHAR AS source_event_id, s.lifecycle, s.position,
                   s.wait_hours, s.wait_working_hours, s.paused_hours, s.paused_working_hours, s.calendar,
                   s.clock_hours, s.completed_at, s.processing_hours, s.processing_working_hours
            FROM steps s SEMI JOIN explorer_kept k USING (jid) JOIN journeys j USING (jid)
            LEFT JOIN activities a ON a.code = s.act LEFT JOIN departments d ON d.code = s.dep
            LEFT JOIN teams t ON t.code = s.team LEFT JOIN resources r ON r.code = s.res""")
        count = one_value(cursor.execute("SELECT count(*) FROM explorer_kept"))
        return Scope(
            cursor,
            None,
            None,
            self.time_rules,
            self.extracted_at,
            int(count),
            lifecycle=self._built.lifecycle,
        )
