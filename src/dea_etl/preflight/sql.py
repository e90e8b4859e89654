"""``dea-etl sql``'s query, checked before Spark starts: its syntax (sqlglot's Spark dialect) and the tables
it names (those of the lake, :func:`~dea_etl.preflight.lake.tables_in_lake`).

Only what is certain is refused: a query sqlglot cannot parse, or an unqualified table name the lake does
not have (a CTE's name is not a table). Everything else (columns, functions, ``orders.snapshots``) is left to
Spark and to the SQL guard. The command line's only: the jobs never import sqlglot.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from dea_etl.errors import DeaEtlError
from dea_etl.preflight.lake import LakeLookupError, processed_root, sql_name, tables_in_lake

#: The words a query may start with (a statement that starts otherwise is a typo or not a query).
QUERY_STARTS = ("SELECT", "WITH", "FROM", "VALUES", "TABLE", "(")


class SqlSyntaxError(DeaEtlError):
    """A query that does not parse; the message says where, as Spark's ``PARSE_SYNTAX_ERROR`` does."""


class SqlTableError(DeaEtlError):
    """A query over a table the lake does not have."""


def _syntax_error(query: str, exc: Exception) -> SqlSyntaxError:
    first = query.split(None, 1)[0] if query.split() else ""
    if first.upper() not in QUERY_STARTS and not first.startswith("("):
        return SqlSyntaxError(f"[PARSE_SYNTAX_ERROR] Syntax error at or near {first!r} (line 1, column 1): "
                              f"a query starts with {' or '.join(QUERY_STARTS[:2])}")
    errors = getattr(exc, "errors", None)  # sqlglot's: where it stopped
    if not errors:
        return SqlSyntaxError(f"[PARSE_SYNTAX_ERROR] Syntax error: {' '.join(str(exc).split())}")
    where = errors[0]
    near = where.get("highlight") or "end of input"
    return SqlSyntaxError(f"[PARSE_SYNTAX_ERROR] Syntax error at or near {near!r} "
                          f"(line {where.get('line')}, column {where.get('col')})")


def parse_query(query: str) -> list[exp.Expr]:
    """The query's statements as sqlglot parses them (Spark SQL); :class:`SqlSyntaxError` if it cannot."""
    try:
        return [tree for tree in sqlglot.parse(query, read="spark") if tree is not None]
    except (ParseError, TokenError) as exc:
        raise _syntax_error(query, exc) from None


def named_tables(trees: list[exp.Expr]) -> list[str]:
    """The unqualified table names the statements read (each once), without their CTEs' names."""
    ctes = {cte.alias_or_name for tree in trees for cte in tree.find_all(exp.CTE)}
    names = []
    for tree in trees:
        for table in tree.find_all(exp.Table):
            if table.name and not table.db and not table.catalog and table.name not in ctes:
                names.append(table.name)
    return list(dict.fromkeys(names))


def check_query(query: str, lake: str) -> None:
    """Raise :class:`SqlSyntaxError` or :class:`SqlTableError` for what is certain to fail (see the module)."""
    wanted = named_tables(parse_query(query))
    if not wanted:
        return
    try:
        present = [sql_name(t) for t in tables_in_lake(lake)]
    except LakeLookupError:
        return
    for name in wanted:
        if name not in present:
            have = ", ".join(present) or "none: run the pipeline first (make run)"
            raise SqlTableError(f"[TABLE_OR_VIEW_NOT_FOUND] no table {name!r} in {processed_root(lake)}; "
                                f"its tables: {have}")
