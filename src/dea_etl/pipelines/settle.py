"""A bookmarked run that published its Iceberg tables and stopped before committing its bookmark.

Such a run keeps its claim on the bookmark's next version (see :mod:`dea_etl.pipelines.incremental`),
so no later run appends the same files' rows again. With Iceberg tables the next run can tell what it
left: every write's snapshot carries its run id. When each table whose source had new files in the
claimed entry has a snapshot of that run on ``main``, the rows are all there: the claimed entry is
committed (rolled forward) and the run goes on from it. Otherwise (nothing or part published, or the
run is still publishing) the claim stays, and the run fails with the version-conflict error that says
how to settle it by hand (``dea-etl bookmark release``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from dea_etl.bookmarks import BookmarkStore, SourceState, release_claims
from dea_etl.io.iceberg import published_run_ids
from dea_etl.io.tables import TableFormat
from dea_etl.runtime import JobContext
from dea_etl.schemas import TableSpec

log = logging.getLogger("dea_etl")


class Source(Protocol):
    """A converted table (:class:`~dea_etl.pipelines.incremental.TableSource`)."""

    @property
    def spec(self) -> TableSpec: ...

    @property
    def output(self) -> str: ...

    @property
    def transformation_ctx(self) -> str: ...


def settle_interrupted_run(
    ctx: JobContext, store: BookmarkStore, tables: Sequence[Source], fmt: TableFormat
) -> str | None:
    """Commit the claimed entry of a run whose every table is published; returns a note, or None."""
    if not fmt.is_iceberg:
        return None
    latest = store.latest(ctx.job_name)
    version = (latest.version if latest else 0) + 1
    held = [c for c in store.claims(ctx.job_name) if c.entry.version == version]
    if not held:
        return None
    entry = held[0].entry
    before: dict[str, SourceState] = dict(latest.sources) if latest else {}
    touched = [t for t in tables if entry.sources.get(t.transformation_ctx) != before.get(t.transformation_ctx)]
    if not touched or not all(entry.run_id in published_run_ids(ctx.spark, t.output, fmt.catalog) for t in touched):
        return None
    release_claims(store, ctx.job_name, commit=True)
    note = (f"run {entry.run_id} published {', '.join(t.spec.name for t in touched)} and stopped before "
            f"committing its bookmark; committed it (version {version})")
    log.warning(note)
    return note
