"""Walking Catalyst trees from Python, every field of every node (through Py4J).

A plan's ``children`` and ``expressions`` do not show everything a node holds: a named window's
definitions sit in a map, a hint's parameters in a list of anything, an identifier's builder in a
function. The walk here goes through each node's constructor fields (``productElement``): plans,
expressions, options, collections and tuples, whatever the node is. It keeps its own stack (a 3,000-term
expression is 3,000 levels deep) and gives up past :data:`MAX_NODES` objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from py4j.java_gateway import JavaObject
from pyspark.sql import SparkSession

from dea_etl.sqlguard.errors import UnsafeSqlError

Context = TypeVar("Context")

#: What the walk looks into, by the Java type it is assignable to (first match wins).
_KINDS = (
    ("plan", "org.apache.spark.sql.catalyst.plans.logical.LogicalPlan"),
    ("expr", "org.apache.spark.sql.catalyst.expressions.Expression"),
    ("skip", "org.apache.spark.sql.types.DataType"),
    ("option", "scala.Option"),
    ("iterable", "scala.collection.Iterable"),
    ("product", "scala.Product"),
)
#: More objects than this in one query: refused as too large to check.
MAX_NODES = 200_000
EXPRESSIONS = "org.apache.spark.sql.catalyst.expressions."


@dataclass
class Tree:
    """The session's JVM, and what kind of object each class is (asked once per class)."""

    spark: SparkSession
    _kinds: dict[str, str] = field(default_factory=dict)
    _types: list[tuple[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        jvm: Any = self.spark.sparkContext._jvm
        self._types = [(kind, jvm.java.lang.Class.forName(name)) for kind, name in _KINDS]

    @property
    def jvm(self) -> Any:
        return self.spark.sparkContext._jvm

    def class_name(self, obj: Any) -> str:
        return str(obj.getClass().getName())

    def kind(self, obj: Any, class_name: str | None = None) -> str:
        """``plan``, ``expr``, ``option``, ``iterable``, ``product`` or ``skip`` (anything else)."""
        if not isinstance(obj, JavaObject):
            return "skip"
        name = class_name or self.class_name(obj)
        if name not in self._kinds:
            cls = obj.getClass()
            self._kinds[name] = next((k for k, t in self._types if t.isAssignableFrom(cls)), "skip")
        return self._kinds[name]

    def nodes(self, stack: list[tuple[Any, Context]]) -> Iterator[tuple[Any, str, str, Context]]:
        """Pops ``stack`` until it is empty (what the caller pushes meanwhile included): each Java object
        with its class name, its kind (never ``skip``) and what was pushed with it."""
        seen = 0
        while stack:
            obj, context = stack.pop()
            seen += 1
            if seen > MAX_NODES:
                raise UnsafeSqlError(f"the query is too large to check (over {MAX_NODES:,} parts)")
            if isinstance(obj, JavaObject):
                class_name = self.class_name(obj)
                kind = self.kind(obj, class_name)
                if kind != "skip":
                    yield obj, class_name, kind, context

    def contents(self, obj: Any, kind: str) -> Iterator[Any]:
        """The objects directly inside ``obj`` (a node's or a tuple's fields, a collection's elements)."""
        if kind == "option":
            if obj.isDefined():
                yield obj.get()
        elif kind == "iterable":
            it = obj.iterator()
            while it.hasNext():
                yield it.next()
        elif kind in ("plan", "expr", "product"):
            for i in range(obj.productArity()):
                yield obj.productElement(i)


def simple_name(class_name: str) -> str:
    """``Project`` for ``org.apache.spark.sql.catalyst.plans.logical.Project``; expressions relative to
    their package (``aggregate.Count``)."""
    if class_name.startswith(EXPRESSIONS):
        return class_name[len(EXPRESSIONS):]
    return class_name.rsplit(".", 1)[-1]


def scala_strings(tree: Tree, parts: list[str]) -> Any:
    """A Scala ``Seq[String]``."""
    jvm = tree.jvm
    items = jvm.java.util.ArrayList()
    for part in parts:
        items.add(part)
    return jvm.scala.collection.JavaConverters.asScalaBuffer(items).toSeq()


def strings(seq: Any) -> list[str]:
    """A Scala ``Seq[String]`` as a list."""
    return [str(seq.apply(i)) for i in range(seq.size())]
