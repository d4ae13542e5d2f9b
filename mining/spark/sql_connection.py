"""DuckDB's SQL on Spark, for the analyses after the scope: the designed-journey comparison (norms,
bottlenecks, conformance inputs) and the pilot read their scope through `Scope.connection` in DuckDB's
dialect. `SparkConnection` offers the part of DuckDB's connection they use (`execute` with named `$`
parameters, `df`, `fetchone`, `fetchall`, `register`, `unregister`) on a Spark session: each query is
transpiled by sqlglot (DuckDB -> Spark SQL) and runs where the events are. So the DuckDB query stays the
one definition of each measure, and tests/spark/ checks the answers equal on real logs.

sqlglot maps most of the dialect; what it maps to something that means another thing in Spark is
rewritten here before generating:
- `list(x ORDER BY k)`: Spark's collect_list has no order; the values are collected with their keys,
  sorted, and the keys dropped (NULLs kept, as DuckDB's list keeps them).
- `a GLOB 'pattern'`: no GLOB in Spark; the pattern becomes an anchored regular expression (RLIKE).
- `mode(x)`: DuckDB's mode leaves a tie open; Spark's deterministic mode takes the least of the tied
  values, and so do the DuckDB queries where a tie can decide a result (they order their candidates).
Anything sqlglot cannot express in Spark SQL raises, naming the construct, instead of running another query.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd
import pyarrow as pa

from mining.errors import AnalysisError
from mining.scope.scope import Scope
from mining.scope.time_rules import TimeRules
from mining.spark.scope import SparkScope

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from sqlglot import exp


def _glob_regex(pattern: str) -> str:
    """A GLOB pattern (`*`, `?`, `[...]`, `[!...]`) as a Java regular expression matching the whole text."""
    out, index = ["^"], 0
    while index < len(pattern):
        char = pattern[index]
        closing = pattern.find("]", index + 2 if pattern[index + 1 : index + 2] in ("!", "^") else index + 1)
        if char == "*":
            out.append("(?s:.*)")
        elif char == "?":
            out.append("(?s:.)")
        elif char == "[" and closing != -1:
            inside = pattern[index + 1 : closing]
            negate = inside[:1] in ("!", "^")
            inside = inside[1:] if negate else inside
            out.append("[" + ("^" if negate else "") + inside.replace("\\", "\\\\").replace("[", "\\[") + "]")
            index = closing
        else:
            out.append(char if char.isalnum() else "\\" + char if char.isascii() else char)
        index += 1
    return "".join(out) + "$"


def _spark_expression(node: exp.Expr) -> exp.Expr:
    """The rewrites the module notes list, one node at a time."""
    import sqlglot
    from sqlglot import exp

    if isinstance(node, exp.Glob):
        pattern = node.expression
        if not (isinstance(pattern, exp.Literal) and pattern.is_string):
            raise AnalysisError(f"Spark: GLOB needs a constant pattern, not {pattern.sql('duckdb')}")
        return exp.RegexpLike(this=node.this, expression=exp.Literal.string(_glob_regex(pattern.name)))
    if isinstance(node, exp.ArrayAgg) and isinstance(node.this, exp.Order):
        ordered = node.this
        keys = []
        for key in ordered.expressions:
            if key.args.get("desc"):
                raise AnalysisError(f"Spark: list(... ORDER BY {key.sql('duckdb')}) in descending order")
            keys.append(key.this.transform(_spark_expression).sql("spark"))
        fields = ", ".join(f"{key} AS k{index}" for index, key in enumerate(keys))
        value = ordered.this.transform(_spark_expression).sql("spark")
        return sqlglot.parse_one(
            f"TRANSFORM(ARRAY_SORT(COLLECT_LIST(STRUCT({fields}, {value} AS v))), s -> s.v)", read="spark"
        )
    if isinstance(node, exp.TimeToUnix) and isinstance(node.this, exp.Sub):
        # epoch(later - earlier): seconds between two instants, with their microseconds (as the Spark
        # scope's hours_between); Spark's unix_timestamp of an interval would be another thing
        later, earlier = (
            side.transform(_spark_expression).sql("spark") for side in (node.this.this, node.this.expression)
        )
        return sqlglot.parse_one(f"((UNIX_MICROS({later}) - UNIX_MICROS({earlier})) / 1000000.0D)", read="spark")
    if isinstance(node, exp.Mode):
        return exp.Anonymous(this="MODE", expressions=[node.this, exp.true()])
    if isinstance(node, exp.PercentileCont | exp.Quantile):
        # DuckDB's quantile_cont and Spark's percentile both interpolate linearly between the two nearest
        return exp.Anonymous(this="PERCENTILE", expressions=[node.this, node.expression])
    if isinstance(node, exp.Tuple) and isinstance(node.parent, exp.Distinct):
        # count(DISTINCT (a, b)) counts row values, NULL fields included: Spark's struct does the same
        return exp.Struct(expressions=node.expressions)
    return node


def spark_statement(query: str) -> tuple[str | None, str]:
    """`query`, written in DuckDB's SQL, as Spark SQL (named parameters `$x` become `:x`): (None, the
    query), or for `CREATE [OR REPLACE] TEMP TABLE name AS query`, (name, the query that fills it)."""
    import sqlglot  # the Spark extra's, like PySpark
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(query, read="duckdb")
        target = None
        if isinstance(tree, exp.Create) and tree.kind == "TABLE" and isinstance(tree.expression, exp.Query):
            target, tree = tree.this.name, tree.expression
        spark = tree.transform(_spark_expression).sql("spark", unsupported_level=sqlglot.ErrorLevel.RAISE)
    except sqlglot.errors.SqlglotError as error:
        raise AnalysisError(f"Spark: this query has no Spark SQL translation ({error})") from error
    return target, spark


def spark_sql(query: str) -> str:
    """A query (not a statement creating a table) in DuckDB's SQL, as Spark SQL."""
    target, spark = spark_statement(query)
    if target is not None:
        raise AnalysisError(f"Spark: expected a query, not the creation of {target}")
    return spark


class SparkResult:
    """A query's rows, fetched once through Arrow (never PySpark's pandas conversion)."""

    def __init__(self, frame: DataFrame) -> None:
        self._frame = frame
        self._table: pa.Table | None = None
        self._next = 0

    def arrow(self) -> pa.Table:
        if self._table is None:
            self._table = self._frame.toArrow()
        return self._table

    def df(self) -> pd.DataFrame:
        """The rows as DuckDB's `df()` would give them (its types for NULLs in integer and text columns),
        so what follows sees the same frame from either engine."""
        return duckdb.from_arrow(self.arrow()).df()

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows = list(zip(*(column.to_pylist() for column in self.arrow().columns), strict=True))
        rest, self._next = rows[self._next :], len(rows)
        return rest

    def fetchone(self) -> tuple[Any, ...] | None:
        table = self.arrow()
        if self._next >= table.num_rows:
            return None
        row = tuple(column[self._next].as_py() for column in table.columns)
        self._next += 1
        return row


class SparkConnection:
    """The DuckDB connection calls the analyses after the scope make, answered by `spark`."""

    def __init__(self, spark: SparkSession) -> None:
        self.spark = spark

    def execute(self, query: str, parameters: Any = None) -> SparkResult:
        """Runs `query` (DuckDB's SQL) on Spark. A temp table it creates is a cached temp view, its query
        resolved before the name is replaced (so `CREATE OR REPLACE TEMP TABLE t AS ... FROM t` extends
        the old t, as in DuckDB)."""
        if parameters is not None and not isinstance(parameters, Mapping):
            raise AnalysisError("Spark: queries take named parameters ($name), not positional ones")
        target, query = spark_statement(query)
        frame = self.spark.sql(query, args=dict(parameters or {}))
        if target is None:
            return SparkResult(frame)
        frame = frame.cache()
        frame.createOrReplaceTempView(target)
        return SparkResult(self.spark.sql("SELECT count(*) AS Count FROM " + target))

    def register(self, name: str, frame: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        self.spark.createDataFrame(table).createOrReplaceTempView(name)

    def unregister(self, name: str) -> None:
        self.spark.catalog.dropTempView(name)


def analysis_scope(scope: SparkScope) -> Scope:
    """The Spark scope as the `Scope` the design and pilot analyses take: its views read through a
    SparkConnection, in calendar time (no time rules: refuse_working_time)."""
    return Scope(
        SparkConnection(scope.spark),
        scope.journey_type,
        scope.period,
        TimeRules(),
        scope.extracted_at,
        scope.journey_count,
        scope.journeys,
        scope.work_events,
    )
