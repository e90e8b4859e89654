"""Independent pieces of a step (one per table) run side by side, each to its end.

A small table's Spark work is mostly fixed cost on the driver (planning, listing, scheduling, committing),
which one table at a time pays in sequence while the cores wait. Run together, one table's planning
overlaps another's tasks. Every piece runs to its end even when another fails, so that the caller knows
everything that was written (to publish it together, or to discard it all) before it raises.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: At most this many pieces at once: enough to keep two cores busy with small tables' jobs.
MAX_TOGETHER = 4


@dataclass(frozen=True)
class Settled(Generic[R]):
    """One piece's result, or what it raised."""

    value: R | None = None
    error: BaseException | None = None


def settle_all(work: Callable[[T], R], items: Sequence[T], max_workers: int = MAX_TOGETHER) -> list[Settled[R]]:
    """``work(item)`` for every item, side by side (one thread each, at most ``max_workers`` at once); waits
    for all of them; their results or errors in the items' order."""

    def settle(item: T) -> Settled[R]:
        try:
            return Settled(work(item))
        except BaseException as exc:  # every piece's outcome is given back to the caller
            return Settled(error=exc)

    if len(items) <= 1:
        return [settle(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(len(items), max_workers)) as pool:
        return list(pool.map(_inheriting(settle), items))


def _inheriting(work: Callable[[T], Settled[R]]) -> Callable[[T], Settled[R]]:
    """``work`` run with this thread's Spark local properties (job group, description, scheduler pool): a
    Python thread has a JVM thread of its own, which inherits nothing."""
    from pyspark import SparkContext
    from pyspark.util import inheritable_thread_target

    return inheritable_thread_target(work) if SparkContext._active_spark_context is not None else work


def values(settled: Sequence[Settled[R]]) -> list[R]:
    """Every piece's result; raises the first error (in the items' order) when a piece failed."""
    for s in settled:
        if s.error is not None:
            raise s.error
    return [s.value for s in settled]  # type: ignore[misc]
