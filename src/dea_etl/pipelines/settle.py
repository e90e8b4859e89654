"""A bookmarked run that published some of its Iceberg tables and stopped before committing its bookmark.

Such a run keeps its claim on the bookmark's next version (see :mod:`dea_etl.pipelines.incremental`),
so no later run appends the same files' rows again. The claim lists every write of the run (each table,
its quarantine, its data-quality tables), each staged on a branch, and every published snapshot carries
the run id. When at least one of them is on ``main``, the run was publishing: the next run publishes the
others from their branches (every table all published, never part), commits the claimed entry and goes
on from it. When none is (the run stopped before publishing, or is still publishing) the claim stays,
and the run fails with the version-conflict error that says how to settle it by hand (``dea-etl bookmark
release``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from dea_etl.bookmarks import BookmarkStore, release_claims
from dea_etl.io.catalogs import IcebergCatalog
from dea_etl.io.iceberg import published_run_ids
from dea_etl.io.iceberg import settle as settle_iceberg
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
    """Finish the claimed run that published part of its Iceberg tables: the rest are published from their
    branches, then its entry is committed; returns a note, or None when there is nothing to settle."""
    del tables  # the claim says what the run wrote: its tables, quarantines and data-quality tables
    if not fmt.is_iceberg:
        return None
    latest = store.latest(ctx.job_name)
    version = (latest.version if latest else 0) + 1
    held = [c for c in store.claims(ctx.job_name) if c.entry.version == version]
    if not held:
        return None
    entry = held[0].entry
    writes = [p for p in held[0].publications if p.get("Format") == "iceberg"]
    on_main = [p for p in writes if entry.run_id in published_run_ids(
        ctx.spark, str(p["Table"]), IcebergCatalog(str(p["Catalog"]), str(p["Namespace"])))]
    if not on_main:  # nothing visible: the claim stays (the run may still be publishing; else release it)
        return None
    finished = settle_iceberg(ctx.spark, writes, forward=True)
    release_claims(store, ctx.job_name, commit=True)
    names = ", ".join(str(p["Table"]).rstrip("/").rsplit("/", 1)[-1] for p in writes)
    note = (f"run {entry.run_id} published part of {names} and stopped before committing its bookmark; "
            f"published the rest ({len(finished)} tables) and committed it (version {version})")
    log.warning(note)
    return note
