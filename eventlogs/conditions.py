"""Filters that come from a user (a pilot or control group, later an explorer's filter box) as SQL text.

Such a condition is put into SQL as text, so it could read files (`read_csv('/etc/passwd')`), run
sub-queries or end the statement. It is therefore parsed by DuckDB itself (`json_serialize_sql`, which
parses without running anything) and accepted only when every part of the parsed expression is on an
allow-list: comparisons, AND / OR / NOT, IN, LIKE / ILIKE, BETWEEN, IS [NOT] NULL, literals, casts and
references to the columns the caller names. Anything else is refused, naming the part refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import duckdb

from eventlogs.errors import ConfigError
from eventlogs.one_row import one_value


class ConditionError(ConfigError):
    """A condition refused: `what` names where it came from, `reason` what was refused."""

    def __init__(self, what: str, reason: str) -> None:
        self.what, self.reason = what, reason
        super().__init__(f"{what}: {reason}")

    def __reduce__(self) -> tuple[type[ConditionError], tuple[str, str]]:
        return (type(self), (self.what, self.reason))


# The condition is checked inside exactly the parentheses it is later used in; the line breaks end a
# trailing `--` comment before the closing parenthesis, so a comment cannot swallow it.
_OPEN, _CLOSE = "(\n", "\n)"
_PROBE = "SELECT * FROM t WHERE "

_ALLOWED_TYPES = {
    "COMPARISON": None,  # =, <>, <, <=, >, >=, IS [NOT] DISTINCT FROM
    "CONJUNCTION": {"CONJUNCTION_AND", "CONJUNCTION_OR"},
    "OPERATOR": {"OPERATOR_NOT", "COMPARE_IN", "COMPARE_NOT_IN", "OPERATOR_IS_NULL", "OPERATOR_IS_NOT_NULL"},
    "BETWEEN": {"COMPARE_BETWEEN", "COMPARE_NOT_BETWEEN"},
    "CONSTANT": {"VALUE_CONSTANT"},
    "CAST": {"OPERATOR_CAST"},  # DATE '2026-05-04', TRUE (a cast of 't'), priority::INTEGER
    "COLUMN_REF": {"COLUMN_REF"},
}
# DuckDB parses LIKE, NOT LIKE, ILIKE, NOT ILIKE and the JSON text operator (attributes->>'key') as calls
# of these functions; no other function is allowed.
_OPERATOR_FUNCTIONS = frozenset({"~~", "!~~", "~~*", "!~~*", "->>"})


def check_condition(text: str, allowed_columns: Iterable[str], what: str) -> str:
    """`text` as a parenthesised condition safe to put into a WHERE clause, if it is a condition over
    `allowed_columns` built only from the allowed parts; otherwise a ConditionError naming the part
    refused (a sub-query, a function, an unknown column, a second statement, ...)."""
    columns = {column.lower() for column in allowed_columns}
    wrapped = _OPEN + text + _CLOSE
    connection = duckdb.connect()
    try:
        statement = _parse_single_select(connection, text, wrapped, what)
        if statement["node"].get("type") != "SELECT_NODE":  # a UNION smuggled after a closing parenthesis
            raise ConditionError(what, f"only a condition is allowed, not {text!r}")
        where = statement["node"].pop("where_clause")
        _check_expression(connection, where, columns, what)
        if _without_locations(statement) != _without_locations(_template(connection)):
            raise ConditionError(what, f"only a condition is allowed, not {text!r}")
    finally:
        connection.close()
    return wrapped


def _parse_single_select(connection: duckdb.DuckDBPyConnection, text: str, wrapped: str, what: str) -> dict:
    if not text.strip():
        raise ConditionError(what, "the condition is empty")
    serialised = one_value(connection.execute("SELECT json_serialize_sql($sql)", {"sql": _PROBE + wrapped}))
    parsed = json.loads(serialised)
    if parsed.get("error"):
        message = parsed.get("error_message", "not a condition")
        raise ConditionError(what, f"{text!r} is not a single SQL condition ({message})")
    if len(parsed["statements"]) != 1:
        raise ConditionError(what, f"one condition only, not several statements: {text!r}")
    return parsed["statements"][0]


def _template(connection: duckdb.DuckDBPyConnection) -> dict:
    """The probe statement with a harmless condition: a checked statement must equal it but for its WHERE
    (no GROUP BY, ORDER BY, LIMIT, QUALIFY, ... smuggled after a closing parenthesis)."""
    serialised = one_value(connection.execute("SELECT json_serialize_sql($sql)", {"sql": _PROBE + "(TRUE)"}))
    statement = json.loads(serialised)["statements"][0]
    statement["node"].pop("where_clause")
    return statement


def _without_locations(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _without_locations(value) for key, value in node.items() if key != "query_location"}
    if isinstance(node, list):
        return [_without_locations(value) for value in node]
    return node


def _check_expression(connection: duckdb.DuckDBPyConnection, node: dict, columns: set[str], what: str) -> None:
    kind, kind_type = node.get("class"), node.get("type")
    if kind == "SUBQUERY":
        raise ConditionError(what, f"subquery not allowed: {_render(connection, node)}")
    if kind == "FUNCTION":
        name = node.get("function_name", "")
        plain = not (node.get("schema") or node.get("catalog") or node.get("filter") or node.get("distinct"))
        plain = plain and not (node.get("order_bys") or {}).get("orders")
        if name not in _OPERATOR_FUNCTIONS or not plain:
            raise ConditionError(what, f"function {name} not allowed: {_render(connection, node)}")
    elif kind not in _ALLOWED_TYPES or ((allowed := _ALLOWED_TYPES[kind]) is not None and kind_type not in allowed):
        raise ConditionError(what, f"{str(kind_type or kind).lower()} not allowed: {_render(connection, node)}")
    if kind == "COLUMN_REF":
        names = node["column_names"]
        if len(names) != 1 or names[0].lower() not in columns:
            raise ConditionError(what, f"unknown column {'.'.join(names)}")
    if node.get("alias"):
        raise ConditionError(what, f"an alias is not allowed: {_render(connection, node)}")
    for child in _children(node):
        _check_expression(connection, child, columns, what)


def _children(node: dict) -> list[dict]:
    """The sub-expressions of an allowed node (each kind keeps them under its own keys)."""
    children = list(node.get("children") or [])
    for key in ("left", "right", "child", "input", "lower", "upper"):
        if isinstance(node.get(key), dict):
            children.append(node[key])
    return children


def _render(connection: duckdb.DuckDBPyConnection, node: dict) -> str:
    """A refused part as SQL text, for the error message (DuckDB writes it back from the parsed form)."""
    statement = _template(connection)
    statement["node"]["where_clause"] = node
    try:
        sql = one_value(
            connection.execute(
                "SELECT json_deserialize_sql($json)", {"json": json.dumps({"error": False, "statements": [statement]})}
            )
        )
    except duckdb.Error:
        return str(node.get("function_name") or node.get("class"))
    return sql.removeprefix(_PROBE).strip()
