"""One row per journey with everything a pilot or control group can be chosen by, as the temp view
`journey_attributes`:

- the journeys columns: journey_id, journey_type, category, priority, caller, state, source, opened_at;
- each top-level key of the journeys' `attributes` JSON as a text column of its own (e.g. `region`), unless
  a column of that name exists already; `attributes` itself stays for `attributes->>'key'`; an attribute
  named category, priority or state (a case table's, say) stands in where that column is NULL, so
  `priority = '4'` reads the attribute for an event log whose journeys have no priority column filled;
- per department, the team that handled most of the journey's work there: `team_<department>` in lower case
  with underscores, e.g. `team_field_services` (NULL when the journey has not reached that department).

A group is a SQL condition over this view, e.g. `region = 'North'` or `team_warehouse = 'Warehouse Venlo'`:
comparisons, AND / OR / NOT, IN, LIKE, BETWEEN, IS NULL over its columns only (eventlogs.conditions).
"""

from __future__ import annotations

import re

import duckdb

from eventlogs.conditions import ConditionError, check_condition
from eventlogs.one_row import one_value
from eventlogs.sql_text import sql_identifier, sql_literal
from mining.errors import ConfigError

_BASE_COLUMNS = ("journey_id", "journey_type", "category", "priority", "caller", "state", "source", "opened_at")
# columns a source may leave NULL whose attribute of the same name then stands in (not caller: a person,
# pseudonymised in its column only)
_FILLED_BY_ATTRIBUTE = ("category", "priority", "state")


def team_column(department: str) -> str:
    """`Field Services` -> `team_field_services`."""
    return "team_" + re.sub(r"[^0-9a-z]+", "_", department.lower()).strip("_")


def define_journey_attributes(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Creates the `journey_attributes` view; returns its column names."""
    keys = [
        row[0]
        for row in connection.execute("""
            SELECT DISTINCT unnest(json_keys(attributes)) FROM journeys
            WHERE attributes IS NOT NULL AND json_type(attributes) = 'OBJECT' ORDER BY 1""").fetchall()
    ]
    departments = [
        row[0]
        for row in connection.execute(
            "SELECT DISTINCT department FROM events WHERE event_kind = 'work' AND department IS NOT NULL ORDER BY 1"
        ).fetchall()
    ]
    taken = set(_BASE_COLUMNS) | {"attributes"}
    team_columns = {}
    for department in departments:
        name = team_column(department)
        if name not in taken:
            team_columns[name] = department
            taken.add(name)
    key_columns = [key for key in keys if key not in taken]
    teams = ", ".join(
        f"mode(team) FILTER (WHERE department = {sql_literal(department)}) AS {sql_identifier(name)}"
        for name, department in team_columns.items()
    )
    attribute_columns = "".join(f", j.attributes->>{sql_literal(key)} AS {sql_identifier(key)}" for key in key_columns)
    team_select = "".join(f", t.{sql_identifier(name)}" for name in team_columns)
    team_join = (
        f"LEFT JOIN (SELECT journey_id, {teams} FROM events WHERE event_kind = 'work' GROUP BY journey_id) t "
        "USING (journey_id)"
        if team_columns
        else ""
    )
    base_columns = ", ".join(
        f"coalesce(j.{column}, j.attributes->>{sql_literal(column)}) AS {column}"
        if column in _FILLED_BY_ATTRIBUTE and column in keys
        else f"j.{column}"
        for column in _BASE_COLUMNS
    )
    connection.execute(f"""
        CREATE OR REPLACE TEMP VIEW journey_attributes AS
        SELECT {base_columns}, j.attributes{attribute_columns}{team_select}
        FROM journeys j {team_join}
    """)
    return [*_BASE_COLUMNS, "attributes", *key_columns, *team_columns]


def validate_condition(
    connection: duckdb.DuckDBPyConnection, condition: str, what: str, columns: list[str]
) -> tuple[str, int]:
    """Checks that `condition` is a condition over journey_attributes (only columns, comparisons and
    literals: see eventlogs.conditions); returns it as the text to put into SQL and the journeys it selects.
    Errors name the group, the expression, the part refused and the columns there are."""
    try:
        checked = check_condition(condition, columns, what)
        return checked, one_value(connection.execute(f"SELECT count(*) FROM journey_attributes WHERE {checked}"))
    except (ConditionError, duckdb.Error) as error:
        reason = error.reason if isinstance(error, ConditionError) else str(error).splitlines()[0]
        raise ConfigError(
            f"{what} {condition!r} is not a condition over the journey attributes ({reason}); "
            f"columns: {', '.join(columns)}"
        ) from error
