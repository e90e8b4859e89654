"""Tables converted with job bookmarks: only new files read, their rows appended, one commit at the end.

Before anything becomes visible the run claims the bookmark's next version (no other run is publishing
or has committed meanwhile); the bookmark commit runs at the end, from ``ctx.on_commit``. The claim lists
what the run writes, so that a run that stopped holding it can be settled: no later run may append those
files' rows a second time until then.

- Iceberg: every table is staged on a branch first, then claimed, then published (``main`` moved to each
  branch). A failure before publishing publishes nothing, commits nothing and drops the claim. A run
  that stopped after publishing some tables is settled by the next run (the rest rolled forward, see
  :mod:`dea_etl.pipelines.settle`) or by ``dea-etl bookmark release`` (back, or ``--commit``: forward).
- plain Parquet: a file is visible once written, so the claim comes first (each table and its write
  token), then the writes. A failure removes the run's files and drops the claim. After a kill,
  ``dea-etl bookmark release`` removes every file the run wrote (named with its run id) from every
  table of the claim; the rerun then appends them once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession

from dea_etl.bookmarks import (
    DISABLE,
    ENABLE,
    BookmarkSession,
    BookmarkStore,
    Claim,
    Selection,
    open_store,
    release_claims,
    start_session,
)
from dea_etl.errors import JobArgumentError, OutputError
from dea_etl.faults import checkpoint
from dea_etl.io.glue_files import GlueBookmarkedFiles
from dea_etl.io.iceberg import settle as settle_iceberg
from dea_etl.io.incremental import describe_names, new_files
from dea_etl.io.parquet import parquet_claim_record, remove_run, write_token
from dea_etl.io.paths import check_outputs
from dea_etl.io.tables import TableFormat, read_in_format, table_exists
from dea_etl.pipelines.audit import audit, gate_enabled, staged_tables
from dea_etl.pipelines.convert import ConvertRequest, StagedConversion, stage_conversion
from dea_etl.pipelines.formats import table_format
from dea_etl.pipelines.limits import csv_limits
from dea_etl.pipelines.settle import settle_interrupted_run
from dea_etl.runtime import JobContext, Platform, TableResult
from dea_etl.schemas import TableSpec
from dea_etl.tables.seed import TABLES
from dea_etl.together import settle_all, values

APPEND = "append"
#: ``--bookmark-store glue``: Glue's own job bookmarks (the default on Glue).
GLUE_NATIVE = "glue"


@dataclass(frozen=True)
class TableSource:
    """One table to convert: CSV source, Parquet output, quarantine, and the write mode of a full run."""

    spec: TableSpec
    source: str
    output: str
    quarantine: str
    mode: str = "overwrite"
    encoding: str = "UTF-8"

    @property
    def transformation_ctx(self) -> str:
        return f"{self.spec.name}_source"


def bookmark_location(ctx: JobContext, default: str | None = None) -> str | None:
    """``--bookmark-store``; else on Glue ``glue`` (Glue's own bookmarks); else ``--TempDir``/bookmarks,
    else ``default``."""
    if ctx.args.get("bookmark_store"):
        return ctx.args["bookmark_store"]
    if ctx.platform is Platform.GLUE:
        return GLUE_NATIVE
    if ctx.args.get("TempDir"):
        return str(ctx.args["TempDir"]).rstrip("/") + "/bookmarks"
    return default


def open_bookmarks(
    ctx: JobContext, default_store: str | None = None, tables: Sequence[TableSource] = ()
) -> BookmarkSession:
    """The run's bookmark session (``--job-bookmark-*``), its commit registered on ``ctx.on_commit``.

    With Iceberg ``tables``, a run that published them all and stopped before committing is settled
    first (:func:`~dea_etl.pipelines.settle.settle_interrupted_run`).
    """
    option = ctx.args.get("job_bookmark_option") or DISABLE
    store = native = None
    if option != DISABLE:
        location = bookmark_location(ctx, default_store)
        if not location:
            raise JobArgumentError(f"{ctx.job_name}: {option} needs --bookmark-store PATH|s3://BUCKET/PREFIX")
        if location == GLUE_NATIVE:
            if ctx.glue_context is None:
                raise JobArgumentError(f"{ctx.job_name}: --bookmark-store glue needs the Glue runtime")
            native = GlueBookmarkedFiles(ctx.glue_context)
        else:
            store = open_store(location)
            if option == ENABLE:
                settle_interrupted_run(ctx, store, tables, table_format(ctx))
    session = start_session(
        ctx.job_name, ctx.run_id, option, store,
        from_run_id=ctx.args.get("job_bookmark_from"), to_run_id=ctx.args.get("job_bookmark_to"),
        native=native,
    )
    ctx.on_commit.append(session.commit)
    return session


def _appends(ctx: JobContext, table: TableSource, selection: Selection, fmt: TableFormat) -> bool:
    """Add the rows to the table (never replace it) when earlier runs' rows are in it."""
    if selection.incremental:
        return True
    return selection.append_if_exists and table_exists(ctx.spark, table.output, fmt)


def _stage_table(
    ctx: JobContext, table: TableSource, selection: Selection, fmt: TableFormat
) -> StagedConversion | None:
    if not selection.files:
        return None
    request = ConvertRequest(
        spec=table.spec,
        input_files=[f.path for f in selection.files],
        output=table.output,
        quarantine=table.quarantine,
        run_id=ctx.run_id,
        mode=APPEND if _appends(ctx, table, selection, fmt) else table.mode,
        encoding=table.encoding,
        table_format=fmt,
        limits=csv_limits(ctx),
    )
    return stage_conversion(ctx.spark, request)


def _bookmark_note(table: TableSource, selection: Selection, *, appended: bool) -> str:
    note = f"{table.transformation_ctx}: {len(selection.files)} files read, {selection.skipped} skipped"
    return note + (" (appended)" if appended and selection.incremental else "")


def _references(
    ctx: JobContext, tables: Sequence[TableSource], staged: Sequence[StagedConversion], fmt: TableFormat
) -> dict[str, DataFrame]:
    """The gate's references: the run's tables as staged, else the seed tables beside each output."""
    refs: dict[str, DataFrame] = {}
    for parent in {t.output.rstrip("/").rpartition("/")[0] for t in tables}:
        for name in TABLES:
            path = f"{parent}/{name}" if parent else name
            if name not in refs and table_exists(ctx.spark, path, fmt):
                refs[name] = read_in_format(ctx.spark, path, fmt)
    return refs | staged_tables(staged)


def convert_tables(
    ctx: JobContext, session: BookmarkSession, tables: Sequence[TableSource]
) -> list[TableResult]:
    """Convert each table's new files; publish all tables together; return their results.

    Outputs that would harm an input (be it, contain it, lie inside it) are refused before anything is read.
    """
    check_outputs(ctx.spark, [t.source for t in tables], [p for t in tables for p in (t.output, t.quarantine)])
    staged: list[StagedConversion] = []
    results: list[TableResult] = []
    published = 0
    fmt = table_format(ctx)
    selections = [(table, new_files(ctx.spark, table.source, table.transformation_ctx, session)) for table in tables]
    if not fmt.is_iceberg:  # plain Parquet is visible as it is written: claim first
        session.claim([parquet_claim_record(path, write_token(ctx.run_id), "append")
                       for table, selection in selections if selection.files
                       for path in (table.output, table.quarantine)])
    try:
        # The tables are staged side by side; all of them finish (or fail) before anything is published.
        settled = settle_all(lambda pair: _stage_table(ctx, pair[0], pair[1], fmt), selections)
        staged.extend(s.value for s in settled if s.value is not None)
        conversions = values(settled)
        for (table, selection), conversion in zip(selections, conversions, strict=True):
            result = conversion.result if conversion else TableResult(table.spec.name, output=table.output)
            result.files_skipped = selection.skipped + len(selection.hidden)
            if selection.hidden:
                result.metrics["skipped as hidden"] = describe_names(selection.hidden)
            if session.tracking:
                result.metrics["bookmark"] = _bookmark_note(table, selection, appended=bool(conversion))
            results.append(result)
        if gate_enabled(ctx, fmt):
            audit(ctx, staged, fmt, _references(ctx, tables, staged, fmt),
                  {t.spec.name: t.spec.partition_by for t in tables})
        checkpoint("staged")
        session.claim([p for conversion in staged for p in conversion.publications])
        checkpoint("claimed")
        for conversion in staged:
            published += 1
            conversion.publish()
        checkpoint("published")
    except BaseException:
        for conversion in staged:
            conversion.discard()
        if not published or not fmt.is_iceberg:  # Parquet: the run's files are gone again
            session.release()
        raise
    return results


def settle_claims(
    store: BookmarkStore, job_name: str, *, commit: bool = False, spark: Callable[[], SparkSession] | None = None
) -> tuple[list[Claim], list[str]]:
    """``dea-etl bookmark release``: settle the tables of the runs that stopped holding a claim, then
    drop the claims (``commit``: the claim on the next version rolls forward: its tables are published
    whole and its entry committed; any other claim rolls back). Returns the claims and what changed.

    Parquet tables settle by removing the files the run wrote (they cannot be rolled forward: a Parquet
    write may have stopped half way; rerun instead); Iceberg tables through their branches and snapshots,
    with a Spark session from ``spark`` (called only when a claim holds an Iceberg write)."""
    latest = store.latest(job_name)
    forward_version = (latest.version if latest else 0) + 1 if commit else None
    changed = []
    for held in store.claims(job_name):
        forward = held.entry.version == forward_version
        tables = [p for p in held.publications if p.get("Format") == "parquet"]
        if forward and tables:
            raise OutputError(f"the claim of run {held.entry.run_id} holds plain Parquet writes, which cannot be "
                              "rolled forward (a write may have stopped half way): release without --commit "
                              "removes the run's files, and the next run writes them again")
        for pub in tables:
            removed = remove_run(str(pub["Table"]), str(pub["Run"]))
            if removed:
                changed.append(f"{pub['Table']}: removed the {len(removed)} files of run {pub['Run']}")
        iceberg_tables = [p for p in held.publications if p.get("Format") == "iceberg"]
        if iceberg_tables:
            if spark is None:
                raise OutputError(f"the claim of run {held.entry.run_id} holds Iceberg writes; settling them "
                                  "needs a Spark session")
            changed += settle_iceberg(spark(), iceberg_tables, forward=forward)
    return release_claims(store, job_name, commit=commit), changed
