"""Second check, on the analyzed plan: what the query resolved to, whatever syntax produced it.

Every leaf must be one of the query's tables (a temporary view of that name, or an Iceberg metadata table
``orders.snapshots`` of the current catalog) or rows the query computes itself (``VALUES``, ``range``,
a CTE); every node one a SELECT is made of; every expression one whose class an allowed function gives,
one the parser and analyzer build themselves (attributes, operators, subqueries, windows, lambdas), or a
function the user registered. A view of the query's tables is not looked into: what it reads is the
table. A named window, a hint's argument, a lambda's body and a subquery in any clause are all in the
tree walked here, resolved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dea_etl.sqlguard.allowed import ANALYZED_NODES, BUILT, IMPLEMENTATION, STRUCTURAL, UDF
from dea_etl.sqlguard.errors import UnsafeSqlError
from dea_etl.sqlguard.parsed import refuse_function
from dea_etl.sqlguard.tree import Tree, simple_name


@dataclass
class AnalyzedCheck:
    """``tables``: lower-case name parts of the allowed tables; ``functions``: the classes of the allowed
    built-in functions; ``is_udf``: whether a name is a function the user registered."""

    tree: Tree
    tables: frozenset[tuple[str, ...]]
    functions: frozenset[str]
    is_udf: Callable[[str], bool]
    current_catalog: str

    def run(self, root: Any) -> None:
        # (object, whether it sits below an allowed function: its implementation may use IMPLEMENTATION)
        stack: list[tuple[Any, bool]] = [(root, False)]
        for obj, class_name, kind, in_function in self.tree.nodes(stack):
            if kind == "plan" and not self._plan(obj, simple_name(class_name)):
                continue
            below = self._expression(obj, class_name, in_function) if kind == "expr" else in_function
            stack.extend((child, below) for child in self.tree.contents(obj, kind))

    def _plan(self, node: Any, name: str) -> bool:
        """Check a plan node; whether to walk into it."""
        if name == "View":
            self._view(node)
            return False
        if name == "DataSourceV2Relation":
            self._v2_relation(node)
            return False
        if name == "LocalRelation":  # VALUES: rows already computed from literals
            return False
        if name not in ANALYZED_NODES:
            raise UnsafeSqlError(f"it reads {self._source(node, name)}, which is not one of the query's tables "
                                 f"({self._allowed()})")
        return True

    def _allowed(self) -> str:
        return ", ".join(sorted(".".join(t) for t in self.tables)) or "none"

    def _view(self, node: Any) -> None:
        ident = node.desc().identifier()
        name = str(ident.table())
        if not (node.isTempView() and not ident.database().isDefined() and (name.lower(),) in self.tables):
            raise UnsafeSqlError(f"view {name!r} is not one of the query's tables ({self._allowed()})")

    def _v2_relation(self, node: Any) -> None:
        """An Iceberg metadata table (``orders.snapshots``) of the current catalog, when allowed."""
        ident, catalog = node.identifier(), node.catalog()
        if ident.isDefined() and catalog.isDefined():
            parts = (*(str(p) for p in ident.get().namespace()), str(ident.get().name()))
            if str(catalog.get().name()) == self.current_catalog and tuple(p.lower() for p in parts) in self.tables:
                return
        raise UnsafeSqlError(f"it reads table {str(node.table().name())!r}, which is not one of the query's "
                             f"tables ({self._allowed()})")

    def _source(self, node: Any, name: str) -> str:
        if name == "LogicalRelation":
            relation = node.relation()
            if simple_name(self.tree.class_name(relation)) == "HadoopFsRelation":
                paths = relation.location().rootPaths()
                return f"files ({', '.join(str(paths.apply(i)) for i in range(paths.size()))})"
        if name == "HiveTableRelation" or (name == "LogicalRelation" and node.catalogTable().isDefined()):
            table = node.tableMeta() if name == "HiveTableRelation" else node.catalogTable().get()
            return f"catalog table {str(table.identifier().unquotedString())!r}"
        return f"a {name}"

    def _expression(self, expr: Any, class_name: str, in_function: bool) -> bool:
        """Check an expression; whether what it holds sits below an allowed function."""
        name = simple_name(class_name)
        if class_name in self.functions or name in BUILT:
            return True
        if name in STRUCTURAL or (in_function and name in IMPLEMENTATION):
            return in_function
        if name in UDF and self.is_udf(_udf_name(expr, name)):
            return in_function
        raise refuse_function(_pretty_name(expr))


def _udf_name(expr: Any, name: str) -> str:
    if name == "PythonUDF":
        return str(expr.name())
    named = expr.udfName()  # ScalaUDF
    return str(named.get()) if named.isDefined() else ""


def _pretty_name(expr: Any) -> str:
    try:
        return str(expr.prettyName())
    except Exception:  # an expression without one
        return str(expr.nodeName()).lower()

