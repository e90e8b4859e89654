"""First check, on the parsed plan: nothing that analysis itself would act on.

Analyzing a query is not free of effects: a file-source name (``text.`/etc/passwd```) is listed and its
schema inferred (the file is read), a catalog table or a persistent function is loaded (its jars too).
So before analysis every relation a query names must be one of the query's tables (or a CTE in scope,
which only a one-part name can mean), every function one of :data:`~dea_etl.sqlguard.allowed.FUNCTIONS`
or a temporary function of the session, every node one a SELECT is made of (no command), and an
``IDENTIFIER(...)`` clause a string literal, whose name is then checked as if written out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dea_etl.sqlguard.allowed import PARSED_NODES, REFUSED_BECAUSE, TABLE_FUNCTIONS
from dea_etl.sqlguard.errors import InvalidSqlError, UnsafeSqlError
from dea_etl.sqlguard.tree import Tree, simple_name, strings

_WORDS = {
    "InsertIntoDir": "INSERT OVERWRITE DIRECTORY", "InsertIntoStatement": "INSERT",
    "ScriptTransformation": "TRANSFORM ... USING",
}


def describe(node: str) -> str:
    return _WORDS.get(node, f"a command ({node})")


def refuse_function(name: str) -> UnsafeSqlError:
    why = REFUSED_BECAUSE.get(name.lower(), "it is not one of the allowed built-in functions")
    return UnsafeSqlError(f"function {name}() is not allowed: {why}")


@dataclass
class ParsedCheck:
    """What a query may name: ``tables`` (lower-case name parts) and functions (``is_function``)."""

    tree: Tree
    tables: frozenset[tuple[str, ...]]
    is_function: Callable[[str], bool]
    parse_identifier: Callable[[str], Any]
    #: The tables the query names (filled by :meth:`run`; CTEs are not tables).
    named: set[tuple[str, ...]] = field(default_factory=set)

    def run(self, root: Any) -> None:
        stack: list[tuple[Any, frozenset[str]]] = [(root, frozenset())]
        for obj, class_name, kind, ctes in self.tree.nodes(stack):
            name = simple_name(class_name)
            walk_into = (self._plan(obj, name, ctes, stack) if kind == "plan"
                         else self._expression(obj, name, ctes, stack) if kind == "expr" else True)
            if walk_into:
                stack.extend((child, ctes) for child in self.tree.contents(obj, kind))

    def _plan(self, node: Any, name: str, ctes: frozenset[str], stack: list[tuple[Any, frozenset[str]]]) -> bool:
        """Check a plan node; whether to walk into its fields (False: handled here)."""
        if name not in PARSED_NODES:
            raise UnsafeSqlError(f"only a read-only query is allowed, not {describe(name)}")
        if name == "UnresolvedWith":  # each CTE sees the ones before it; the query sees them all
            names = set(ctes)
            relations = node.cteRelations()
            for i in range(relations.size()):
                pair = relations.apply(i)
                stack.append((pair._2(), frozenset(names)))
                names.add(str(pair._1()).lower())
            stack.append((node.child(), frozenset(names)))
            return False
        if name == "UnresolvedRelation":
            self._relation(strings(node.multipartIdentifier()), ctes)
            return False
        if name == "UnresolvedTableValuedFunction":
            parts = strings(node.name())
            if len(parts) != 1 or parts[0].lower() not in TABLE_FUNCTIONS:
                raise UnsafeSqlError(f"table function {'.'.join(parts)!r} is not allowed")
        if name == "PlanWithUnresolvedIdentifier":
            builder = node.productElement(node.productArity() - 1)
            parts = self._identifier(node.productElement(0))
            built = builder.apply(parts, node.productElement(1)) if node.productArity() == 3 else builder.apply(parts)
            stack.append((built, ctes))
            return False
        return True

    def _relation(self, parts: list[str], ctes: frozenset[str]) -> None:
        key = tuple(p.lower() for p in parts)
        if len(key) == 1 and key[0] in ctes:
            return
        if key in self.tables:
            self.named.add(key)
            return
        allowed = ", ".join(sorted(".".join(t) for t in self.tables)) or "none"
        raise UnsafeSqlError(f"table {'.'.join(parts)!r} is not one of the query's tables ({allowed})")

    def _expression(self, expr: Any, name: str, ctes: frozenset[str], stack: list[tuple[Any, frozenset[str]]]) -> bool:
        """Check an expression; whether to walk into its fields (False: handled here)."""
        if name == "UnresolvedFunction":
            self._function(strings(expr.nameParts()))
        elif name == "UnresolvedGenerator":
            ident = expr.name()
            self._function([*([str(ident.database().get())] if ident.database().isDefined() else []),
                            str(ident.funcName())])
        elif name == "ExpressionWithUnresolvedIdentifier":
            builder = expr.productElement(expr.productArity() - 1)
            stack.append((builder.apply(self._identifier(expr.productElement(0))), ctes))
            return False
        return True

    def _function(self, parts: list[str]) -> None:
        if len(parts) != 1 or not self.is_function(parts[0]):
            raise refuse_function(".".join(parts))

    def _identifier(self, expr: Any) -> Any:
        """The name parts an ``IDENTIFIER(...)`` clause gives (a Scala ``Seq``): a string literal only."""
        if not (simple_name(self.tree.class_name(expr)) == "Literal" and expr.dataType().typeName() == "string"
                and expr.value() is not None):
            raise UnsafeSqlError("IDENTIFIER(...) must be given a string literal here")
        text = str(expr.value().toString())
        try:
            return self.parse_identifier(text)
        except Exception:
            raise InvalidSqlError(f"IDENTIFIER({text!r}) is not a name") from None
