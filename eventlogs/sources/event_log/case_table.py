"""Case attributes from a second file: a CSV table with one row per case, joined on the case id, whose
values land in journeys.attributes (so a pilot or control group can be chosen by them).

    [sources.helpdesk.cases]
    path = "cases.csv"
    case_id = "case"                       # the table's column holding the log's case id
    attributes = ["priority", "category"]  # left out: every other column
    separator = ";"                        # left out: ','
    people = ["owner"]                     # columns naming people: pseudonymised like resources

A journey's attributes are {column: text} (a blank cell is null), as the other sources' journey
attributes. A row whose case is no journey of the log is counted in a quality check, not silently lost;
a case id given on two rows is an error naming both lines; an attribute the table has no column for is a
ConfigError naming the table's columns. The `people` columns hold names: their values are pseudonymised
with the store's key (eventlogs.staging.pseudonymise) before they are staged, like every resource.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from eventlogs.errors import ConfigError, SourceError
from eventlogs.located_config import Located
from eventlogs.one_row import one_value
from eventlogs.sources.shared.csv_text import read_csv_as_text, read_separator, separator_hint
from eventlogs.sql_text import sql_identifier, sql_literal
from eventlogs.staging.pseudonymise import pseudonym_sql, staging_key

# the temp table of (case_id, attributes) the staged journeys are joined with
CASE_ATTRIBUTES = "case_attributes"


@dataclass(frozen=True)
class CaseTable:
    path: Path
    case_id: str
    attributes: tuple[str, ...]  # empty: every column but the case id
    separator: str
    people: tuple[str, ...]  # columns whose values name people: pseudonymised
    case_id_place: str  # where the configuration names the case id column / the attributes, for errors
    attributes_place: str


def read_case_table(section: Located, data_folder: Path) -> CaseTable | None:
    """The source's `cases` table, or None when it names none."""
    if "cases" not in section:
        return None
    cases = section.section("cases")

    def place(key: str) -> str:
        return f"{cases.at(key)}: {cases.document.names.key_place((*cases.path, key))}"

    return CaseTable(
        path=data_folder / cases.text("path"),
        case_id=cases.text("case_id"),
        attributes=tuple(cases.text_list("attributes", one_allowed=True, expected="a column name or a list of them")),
        separator=read_separator(cases),
        people=tuple(cases.text_list("people", one_allowed=True, expected="a column name or a list of them")),
        case_id_place=place("case_id"),
        attributes_place=place("attributes"),
    )


def _columns(table: CaseTable, names: list[str]) -> list[str]:
    """The attribute columns; a configured column the table lacks is a ConfigError naming its columns."""
    have = f"{table.path} has the columns {', '.join(names)}"
    if table.case_id not in names:
        hint = separator_hint(table.path, (table.case_id,), table.separator)
        raise ConfigError(f"{table.case_id_place}: no column '{table.case_id}': {have}{hint}")
    missing = [column for column in (*table.attributes, *table.people) if column not in names]
    if missing:
        hint = separator_hint(table.path, (table.case_id, *table.attributes), table.separator)
        raise ConfigError(f"{table.attributes_place}: no column(s) {', '.join(missing)}: {have}{hint}")
    return list(table.attributes) or [name for name in names if name != table.case_id]


def load_case_table(connection: duckdb.DuckDBPyConnection, source: str, table: CaseTable) -> None:
    """Creates CASE_ATTRIBUTES (case_id, attributes JSON, line) from the table; an unreadable record or a
    case id on two rows is a SourceError naming the file and line(s)."""
    text = read_csv_as_text(table.path, source, (), table.separator)
    where = f"source '{source}': case table {table.path}"
    if text.unreadable:
        first = text.unreadable[0]
        raise SourceError(f"{where}: line {first.line}: {first.reason}")
    columns = _columns(table, [name for name in text.table.column_names if name != "line"])
    connection.register("case_table_rows", text.table)
    case = sql_identifier(table.case_id)
    key = staging_key()

    def value(name: str) -> str:
        text = f"nullif({sql_identifier(name)}, '')"
        return pseudonym_sql(text) if name in table.people and key is not None else text

    values = ", ".join(f"{sql_literal(name)}: {value(name)}" for name in columns)
    parameters = {"key": key} if key is not None and any(name in table.people for name in columns) else {}
    connection.execute(
        f"""
        CREATE TEMP TABLE {CASE_ATTRIBUTES} AS
        SELECT {case} AS case_id, to_json({{{values}}}) AS attributes, line,
               min(line) OVER (PARTITION BY {case}) AS first_line
        FROM case_table_rows WHERE trim({case}) <> ''
    """,
        parameters,
    )
    repeated = connection.execute(
        f"SELECT case_id, line, first_line FROM {CASE_ATTRIBUTES} WHERE line > first_line ORDER BY line LIMIT 1"
    ).fetchone()
    if repeated is not None:
        case_id, line, first_line = repeated
        raise SourceError(f"{where}: line {line}: case '{case_id}' is given again (first on line {first_line})")


def case_attributes_sql(table: CaseTable | None, journey_id: str) -> str:
    """The attributes of journey `journey_id` (SQL text of the case id) from the case table: NULL without one."""
    if table is None:
        return "NULL::JSON"
    return f"(SELECT c.attributes FROM {CASE_ATTRIBUTES} c WHERE c.case_id = {journey_id})"


def case_rows_without_journey(
    connection: duckdb.DuckDBPyConnection, table: CaseTable, journeys: str
) -> dict[str, object]:
    """The quality check counting the case table's rows (blank case ids included) that name no journey
    of the log; `journeys` is SQL selecting the journey ids."""
    count = one_value(
        connection.execute(
            "SELECT (SELECT count(*) FROM case_table_rows) - "
            f"(SELECT count(*) FROM {CASE_ATTRIBUTES} WHERE case_id IN ({journeys}))"
        )
    )
    return {
        "check": "case_table_rows_without_journey",
        "count": count,
        "detail": f"rows of the case table {table.path} whose case id is no journey of the log "
        "(their attributes are not loaded)",
    }
