"""Apache Iceberg tables: staged on a branch, published to ``main`` in one commit.

A table is named by its path, as a Parquet table is; its catalog entry (the lake's SQLite catalog, the Glue
Data Catalog, or a configured Spark catalog) is found by :func:`dea_etl.io.catalogs.table_ref`.

Writes (:func:`stage_iceberg`): the rows are written to a new branch of the table (created at the
current ``main`` snapshot, or with the table when it does not exist yet), as one snapshot whose summary
carries the run id (:data:`RUN_ID_PROPERTY`). Publishing fast-forwards ``main`` to that snapshot and
removes the branch in one metadata commit; a write that fails, or is discarded, leaves ``main`` as it
was. When ``main`` moved since the branch was made (another writer committed meanwhile), an append or a
partition overwrite is cherry-picked onto the new ``main`` (Iceberg checks that the replaced partitions
did not change), and a whole-table overwrite fails, publishing nothing: both commits survive, or one
fails saying why; none is lost. Every commit goes through the catalog's atomic swap of the table's
metadata location.

Maintenance (:func:`compact`, :func:`expire_snapshots`, :func:`remove_orphan_files`) runs Iceberg's own
Spark procedures.
"""

from __future__ import annotations

import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructField, StructType

from dea_etl.errors import OutputError
from dea_etl.faults import checkpoint
from dea_etl.io import storage
from dea_etl.io.catalogs import (
    DEFAULT_CATALOG,
    DEFAULT_NAMESPACE,
    GLUE_CATALOG,
    LAKE_CATALOG,
    IcebergCatalog,
    TableRef,
    catalog_table_name,
    glue_catalog_settings,
    table_ref,
)
from dea_etl.io.parquet import check_mode, cluster_by_partitions

__all__ = [
    "DEFAULT_NAMESPACE", "GLUE_CATALOG", "LAKE_CATALOG", "IcebergCatalog", "StagedIceberg", "TableRef",
    "catalog_conf", "catalog_table_name", "compact", "expire_snapshots", "history", "is_iceberg_table",
    "published_run_ids", "read_iceberg", "remove_orphan_files", "rollback", "session_conf", "settle",
    "stage_iceberg", "table_ref",
]

EXTENSIONS = "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
#: Snapshot summary keys every dea-etl write sets.
RUN_ID_PROPERTY = "dea-etl.run-id"
MODE_PROPERTY = "dea-etl.write-mode"
MAIN = "main"
STAGE_PREFIX = "dea_etl_stage_"
TARGET_FILE_BYTES = 128 * 1024 * 1024

#: Properties of the tables dea-etl creates: format v2, Snappy like the Parquet tables, ~128 MB files;
#: rows are clustered by the writer itself (as for Parquet), each task may hold several partitions.
TABLE_PROPERTIES: dict[str, str] = {
    "format-version": "2",
    "write.parquet.compression-codec": "snappy",
    "write.target-file-size-bytes": str(TARGET_FILE_BYTES),
    "write.distribution-mode": "none",
    "write.spark.fanout.enabled": "true",
    # A data commit that loses a race with another writer is retried on the new metadata; Iceberg's default
    # of 4 tries ran out with two writers on a loaded 2-core machine (tests/test_iceberg_concurrency.py).
    "commit.retry.num-retries": "10",
}


def session_conf(extensions: str | None = None) -> dict[str, str]:
    """Settings a session needs when it is built: Iceberg's SQL extensions (CALL, branches in DDL), added to
    the ``extensions`` the session would otherwise get (a comma-separated list, e.g. from spark-submit)."""
    given = [e.strip() for e in (extensions or "").split(",") if e.strip()]
    return {"spark.sql.extensions": ",".join(given if EXTENSIONS in given else [*given, EXTENSIONS])}


def catalog_conf(warehouse: str, name: str = GLUE_CATALOG) -> dict[str, str]:
    """The Spark settings of an Iceberg catalog on the AWS Glue Data Catalog (S3FileIO, ``warehouse``), as the
    AWS targets configure it (no endpoint: AWS's own)."""
    prefix = f"spark.sql.catalog.{name}"
    settings = glue_catalog_settings(warehouse, environ={})
    return {prefix: "org.apache.iceberg.spark.SparkCatalog", **{f"{prefix}.{k}": v for k, v in settings.items()}}


def java_table(spark: SparkSession, ref: TableRef) -> Any:
    """The ``org.apache.iceberg.Table`` behind ``ref`` (for snapshot and branch operations)."""
    jvm: Any = spark.sparkContext._jvm
    return jvm.org.apache.iceberg.spark.Spark3Util.loadIcebergTable(spark._jsparkSession, ref.ident)


def table_exists(spark: SparkSession, ref: TableRef) -> bool:
    return bool(spark._jsparkSession.catalog().tableExists(ref.ident))


def _nullable(schema: StructType) -> StructType:
    """Every column nullable: appends of computed frames must not trip over a NOT NULL column."""
    return StructType([StructField(f.name, f.dataType, True, f.metadata) for f in schema.fields])


_CREATING_NAMESPACE = threading.Lock()


def _create(df: DataFrame, ref: TableRef, partition_by: Sequence[str]) -> None:
    """Create the table with ``df``'s columns, empty (one empty snapshot on ``main``), at its location."""
    spark = df.sparkSession
    with _CREATING_NAMESPACE:  # tables created side by side: IF NOT EXISTS does not hold between threads
        spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {ref.namespace_ident}")  # the database may not exist yet
    writer = spark.createDataFrame([], _nullable(df.schema)).writeTo(ref.ident).using("iceberg")
    for key, value in TABLE_PROPERTIES.items():
        writer = writer.tableProperty(key, value)
    writer = writer.tableProperty("location", ref.location)
    if partition_by:
        writer = writer.partitionedBy(*(F.col(c) for c in partition_by))
    writer.create()


@dataclass
class StagedIceberg:
    """Rows written to branch ``branch`` of ``ref``'s table, waiting to be published to ``main``."""

    spark: SparkSession
    ref: TableRef
    branch: str
    run_id: str
    mode: str
    #: the ``main`` snapshot the branch started from
    base_snapshot_id: int
    #: the table was created by this write (discarding drops it)
    created: bool = False
    #: the path the table was named by, and its catalog (what settling a stopped run needs)
    path: str = ""
    catalog: IcebergCatalog = field(default_factory=IcebergCatalog)
    published: bool = field(default=False, init=False)

    def claim_record(self) -> dict[str, object]:
        """What a bookmark claim records, so that ``dea-etl bookmark release`` can settle this write."""
        return {"Format": "iceberg", "Table": self.path, "Catalog": self.catalog.name,
                "Namespace": self.catalog.namespace, "Run": self.run_id, "Branch": self.branch,
                "Base": self.base_snapshot_id, "Mode": self.mode}

    @property
    def target(self) -> str:
        return self.ref.ident

    def staged_df(self) -> DataFrame:
        """The table as it will be once published."""
        return self.spark.table(self.ref.branch(self.branch))

    def new_rows_df(self) -> DataFrame:
        """The rows this write adds (those of the data files its snapshot added), whatever the mode."""
        table = java_table(self.spark, self.ref)
        snapshot = table.snapshot(self.staged_snapshot_id())
        added, found = [], snapshot.addedDataFiles(table.io()).iterator()
        while found.hasNext():
            added.append(str(found.next().path()))
        columns = self.staged_df().columns
        return self.staged_df().where(F.col("_file").isin(added)).select(*columns)

    def staged_snapshot_id(self) -> int:
        return int(java_table(self.spark, self.ref).refs().get(self.branch).snapshotId())

    def publish(self) -> None:
        """One metadata commit: ``main`` fast-forwarded to the staged snapshot (or, when another writer moved
        ``main`` meanwhile, an append or partition overwrite cherry-picked onto it), the branch removed."""
        if self.published:
            return
        checkpoint(f"publish:{self.path.rstrip('/').rpartition('/')[2]}")
        publish_branch(self.spark, self.ref, self.branch, self.mode, self.path)
        self.published = True

    def _untouched_by_others(self) -> bool:
        """True while ``main`` is still the empty snapshot this write created the table with, and no other
        writer has a branch: dropping the table then loses nothing but this write."""
        table: Any = java_table(self.spark, self.ref)
        current = table.currentSnapshot()
        others = [str(r) for r in table.refs().keySet() if str(r) not in (MAIN, self.branch)]
        return current is not None and int(current.snapshotId()) == self.base_snapshot_id and not others

    def discard(self) -> None:
        """Forget the staged rows: the branch goes (and the table, when this write created it and no other
        writer has used it since)."""
        if self.published:
            return
        if self.created and self._untouched_by_others():
            self.spark.sql(f"DROP TABLE IF EXISTS {self.ref.ident} PURGE")
            storage.prune_empty_folders(self.ref.location)  # Iceberg deletes its files, not their folders
            return
        def remove(table: Any) -> bool:
            if not table.refs().containsKey(self.branch):
                return False
            table.manageSnapshots().removeBranch(self.branch).commit()
            return True

        commit_retrying(self.spark, self.ref, remove)


def _is_ancestor(spark: SparkSession, table: Any, ancestor: int | None, snapshot: int) -> bool:
    """True when ``ancestor`` (None: no snapshot yet) is ``snapshot`` or one of its ancestors."""
    if ancestor is None:
        return True
    util: Any = spark.sparkContext._jvm.org.apache.iceberg.util.SnapshotUtil  # type: ignore[union-attr]
    return bool(util.isAncestorOf(table, snapshot, ancestor))


#: How often a metadata commit that lost a race with another writer is tried again on the new metadata.
COMMIT_ATTEMPTS = 8


def _lost_race(exc: BaseException) -> bool:
    """True for Iceberg's CommitFailedException (or a Spark error caused by one): another writer committed
    first; nothing of ours was."""
    java = getattr(exc, "java_exception", None)
    for _ in range(8):  # the exception and its causes
        if java is None:
            return False
        if "CommitFailedException" in str(java.getClass().getName()):
            return True
        java = java.getCause()
    return False


def _raced_out(path: str, exc: BaseException) -> OutputError:
    return OutputError(f"{path}: another writer kept committing to the table while this run did; nothing of "
                       f"this run was published (rerun it): {_java_message(exc)}")


def commit_retrying(spark: SparkSession, ref: TableRef, change: Callable[[Any], bool]) -> None:
    """Run ``change(table)`` (it commits, or returns False when there is nothing to do) on freshly loaded
    metadata; when the commit loses a race with another writer, load again and retry (a few times, backing
    off), as Iceberg itself does for data commits."""
    for attempt in range(COMMIT_ATTEMPTS):
        try:
            change(java_table(spark, ref))
            return
        except Exception as exc:
            if not _lost_race(exc):
                raise
            if attempt == COMMIT_ATTEMPTS - 1:
                raise _raced_out(ref.location, exc) from None
            time.sleep(0.05 * 2 ** attempt + random.random() * 0.05)


def publish_branch(spark: SparkSession, ref: TableRef, branch: str, mode: str, path: str) -> None:
    """Make ``branch``'s snapshot the table's ``main`` and remove the branch (see the module doc).

    When ``main`` moved since the branch was made, the staged snapshot's data files are committed again on
    top of it, with its summary (run id, write mode): an append as an append, a partition overwrite as a
    partition overwrite that Iceberg validates against what was committed meanwhile (conflicting data in
    the same partitions fails it); a whole-table overwrite is refused.
    """

    def publish(table: Any) -> bool:
        staged = int(table.refs().get(branch).snapshotId())
        main = table.currentSnapshot()
        main_id = int(main.snapshotId()) if main is not None else None
        if _is_ancestor(spark, table, main_id, staged):
            table.manageSnapshots().fastForwardBranch(MAIN, branch).removeBranch(branch).commit()
            return True
        if mode == "overwrite":
            raise OutputError(f"{path}: another writer committed to the table (snapshot {main_id}) while this "
                              "run overwrote it; nothing of this run was published (rerun it)")
        _commit_again(table, staged, mode, path, main_id)
        commit_retrying(spark, ref, lambda t: bool(t.manageSnapshots().removeBranch(branch).commit() or True))
        return True

    commit_retrying(spark, ref, publish)


def _commit_again(table: Any, staged: int, mode: str, path: str, main_id: int | None) -> None:
    """Commit the data files of the snapshot ``staged`` on top of ``main`` (Iceberg retries this itself)."""
    snapshot = table.snapshot(staged)
    if mode == "append":
        commit = table.newAppend()
        add = commit.appendFile
    else:  # overwrite-partitions: Iceberg checks nothing was written to those partitions meanwhile
        base = snapshot.parentId()
        commit = table.newReplacePartitions().validateNoConflictingData().validateNoConflictingDeletes()
        if base is not None:
            commit = commit.validateFromSnapshot(base)
        add = commit.addFile
    found = snapshot.addedDataFiles(table.io()).iterator()
    while found.hasNext():
        add(found.next())
    summary = snapshot.summary()
    for key in (RUN_ID_PROPERTY, MODE_PROPERTY):
        if summary.containsKey(key):
            commit.set(key, summary.get(key))
    commit.set("source-snapshot-id", str(staged))
    try:
        commit.commit()
    except Exception as exc:
        raise OutputError(f"{path}: another writer changed the partitions this run replaces (snapshot {main_id}); "
                          f"nothing of this run was published (rerun it): {_java_message(exc)}") from None


def _java_message(exc: BaseException) -> str:
    java = getattr(exc, "java_exception", None)
    text = str(java.getMessage()) if java is not None else str(exc)
    return " ".join(text.split())[:300]


def _branch_name(run_id: str) -> str:
    return STAGE_PREFIX + re.sub(r"[^A-Za-z0-9_]", "_", run_id) + "_" + uuid.uuid4().hex[:8]


def stage_iceberg(
    df: DataFrame,
    target: str,
    *,
    run_id: str,
    mode: str = "overwrite",
    partition_by: Sequence[str] = (),
    cluster_partitions: bool = True,
    catalog: IcebergCatalog = DEFAULT_CATALOG,
    properties: Mapping[str, str] | None = None,
) -> StagedIceberg:
    """Write ``df`` to a new branch of the Iceberg table at ``target`` (created if missing); publish later.

    ``mode``: ``overwrite`` (the whole table), ``overwrite-partitions`` (the partitions present in
    ``df``), ``append``. ``properties`` go to the snapshot summary with the run id and the mode.
    """
    check_mode(mode, partition_by)  # an unknown mode must not fall through to a whole-table overwrite
    spark = df.sparkSession
    ref = table_ref(spark, target, catalog)
    created = not table_exists(spark, ref)
    if created:
        try:
            _create(df, ref, partition_by)
        except Exception:
            if not table_exists(spark, ref):
                raise
            created = False  # another writer created it meanwhile: write to it as to any existing table
    branch = _branch_name(run_id)
    bases: list[int] = []

    def create_branch(table: Any) -> bool:
        bases[:] = [int(table.currentSnapshot().snapshotId())]
        table.manageSnapshots().createBranch(branch, bases[0]).commit()
        return True

    commit_retrying(spark, ref, create_branch)
    staged = StagedIceberg(spark, ref, branch, run_id, mode, bases[0], created, target, catalog)
    summary = {RUN_ID_PROPERTY: run_id, MODE_PROPERTY: mode, **(properties or {})}
    if partition_by and cluster_partitions:  # as for Parquet: one file per partition
        df = cluster_by_partitions(df, partition_by)
    writer = df.writeTo(ref.branch(branch))
    for key, value in summary.items():
        writer = writer.option(f"snapshot-property.{key}", value)
    try:
        if mode == "append":
            writer.append()
        elif mode == "overwrite-partitions":
            writer.overwritePartitions()
        else:
            writer.overwrite(F.lit(True))
    except BaseException as exc:
        staged.discard()
        if _lost_race(exc):  # Iceberg's own retries of the data commit ran out
            raise _raced_out(target, exc) from None
        raise
    checkpoint(f"written:{target.rstrip('/').rsplit('/', 1)[-1]}")
    return staged


def read_iceberg(spark: SparkSession, path: str, catalog: IcebergCatalog = DEFAULT_CATALOG) -> DataFrame:
    """The current (``main``) rows of the Iceberg table at ``path``, as committed now (the lake's catalogs
    keep no cache: a commit made by another process meanwhile is seen)."""
    return spark.table(table_ref(spark, path, catalog).ident)


def is_iceberg_table(spark: SparkSession, path: str, catalog: IcebergCatalog = DEFAULT_CATALOG) -> bool:
    return table_exists(spark, table_ref(spark, path, catalog))


def published_run_ids(spark: SparkSession, path: str, catalog: IcebergCatalog = DEFAULT_CATALOG) -> set[str]:
    """The run ids in the summaries of the snapshots ``main`` went through (empty when no table)."""
    ref = table_ref(spark, path, catalog)
    if not table_exists(spark, ref):
        return set()
    rows = spark.sql(
        f"SELECT s.summary['{RUN_ID_PROPERTY}'] AS run_id FROM {ref.ident}.history h "
        f"JOIN {ref.ident}.snapshots s ON h.snapshot_id = s.snapshot_id WHERE h.is_current_ancestor"
    ).collect()
    return {r.run_id for r in rows if r.run_id}


def history(spark: SparkSession, path: str, catalog: IcebergCatalog = DEFAULT_CATALOG) -> DataFrame:
    """Every snapshot of the table at ``path``, oldest first: when, operation, run id, rows, and whether
    ``main`` went through it (``is_current_ancestor``) and is at it (``is_current``)."""
    ref = table_ref(spark, path, catalog)
    table = java_table(spark, ref)
    current = table.currentSnapshot()
    current_id = int(current.snapshotId()) if current is not None else -1
    return spark.sql(
        f"SELECT s.committed_at, s.snapshot_id, s.parent_id, s.operation, "
        f"s.summary['{RUN_ID_PROPERTY}'] AS run_id, s.summary['{MODE_PROPERTY}'] AS write_mode, "
        f"CAST(s.summary['added-records'] AS BIGINT) AS added_records, "
        f"CAST(s.summary['total-records'] AS BIGINT) AS total_records, "
        f"COALESCE(h.is_current_ancestor, false) AS is_current_ancestor, s.snapshot_id = {current_id} AS is_current "
        f"FROM {ref.ident}.snapshots s LEFT JOIN {ref.ident}.history h ON h.snapshot_id = s.snapshot_id "
        f"ORDER BY s.committed_at, s.snapshot_id"
    )


def rollback(spark: SparkSession, path: str, snapshot_id: int, catalog: IcebergCatalog = DEFAULT_CATALOG) -> int:
    """Point ``main`` back at ``snapshot_id`` (one of its ancestors; one metadata commit); returns the
    snapshot ``main`` was at. Raises ValueError naming the problem when it is not an ancestor."""
    table = java_table(spark, table_ref(spark, path, catalog))
    current = int(table.currentSnapshot().snapshotId())
    ancestors = {r.snapshot_id for r in history(spark, path, catalog).where("is_current_ancestor").collect()}
    if snapshot_id not in ancestors:
        raise ValueError(f"snapshot {snapshot_id} is not one main went through (see `dea-etl table history`)")
    if snapshot_id != current:
        table.manageSnapshots().rollbackTo(snapshot_id).commit()
    return current


def settle(spark: SparkSession, publications: Sequence[Mapping[str, Any]], *, forward: bool) -> list[str]:
    """Settle the Iceberg writes of a run that stopped holding its bookmark claim (``dea-etl bookmark
    release``). ``forward``: each write not on ``main`` yet is published from its branch (it fails when the
    branch is gone). Otherwise each write is undone: its branch removed, or, when ``main`` is at the run's
    snapshot, ``main`` rolled back to the snapshot it had before (one metadata commit each); a table whose
    ``main`` moved on after the run is refused, naming the table and ``dea-etl table rollback``.
    Returns a line per table changed."""
    done = []
    for pub in publications if forward else reversed(publications):
        path, run, branch, base = str(pub["Table"]), str(pub["Run"]), str(pub["Branch"]), int(pub["Base"])
        catalog = IcebergCatalog(str(pub["Catalog"]), str(pub["Namespace"]))
        ref = table_ref(spark, path, catalog)
        if not table_exists(spark, ref):
            if forward:
                raise OutputError(f"{path}: no Iceberg table; the staged snapshot of run {run} is gone")
            continue
        table: Any = java_table(spark, ref)
        on_branch = bool(table.refs().containsKey(branch))
        on_main = run in published_run_ids(spark, path, catalog)
        if forward:
            if on_main:
                continue
            if not on_branch:
                raise OutputError(f"{path}: the staged snapshot of run {run} is gone (branch {branch} was "
                                  "discarded); release without --commit")
            publish_branch(spark, ref, branch, str(pub.get("Mode", "append")), path)
            done.append(f"{path}: published run {run}")
            continue
        if on_branch:
            table.manageSnapshots().removeBranch(branch).commit()
            done.append(f"{path}: discarded the staged snapshot of run {run}")
        if on_main:
            current = table.currentSnapshot()
            if str(current.summary().get(RUN_ID_PROPERTY)) != run:
                raise OutputError(f"{path}: main moved on after run {run} published; roll it back by hand "
                                  "(`dea-etl table history`, `dea-etl table rollback`)")
            table.manageSnapshots().rollbackTo(base).commit()
            done.append(f"{path}: rolled back run {run} (main back at snapshot {base})")
    return done


def _procedure_table(ref: TableRef) -> str:
    """The table as Iceberg's procedures name it: ``namespace.name`` (its catalog is the procedure's)."""
    return ".".join(part.strip("`") for part in ref.ident.split(".")[1:])


def _call(spark: SparkSession, ref: TableRef, procedure: str, **args: str) -> list[Any]:
    given = ", ".join([f"table => '{_procedure_table(ref)}'", *(f"{k} => {v}" for k, v in args.items())])
    return spark.sql(f"CALL `{ref.catalog}`.system.{procedure}({given})").collect()


def _timestamp(epoch_ms: int) -> str:
    from datetime import UTC, datetime

    return "TIMESTAMP '" + datetime.fromtimestamp(epoch_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S.%f") + \
        "+00:00'"


def _existing(spark: SparkSession, path: str, catalog: IcebergCatalog) -> TableRef:
    ref = table_ref(spark, path, catalog)
    if not table_exists(spark, ref):
        raise OutputError(f"no Iceberg table at {path}")
    return ref


def compact(spark: SparkSession, path: str, catalog: IcebergCatalog = DEFAULT_CATALOG,
            target_file_bytes: int = TARGET_FILE_BYTES) -> dict[str, int]:
    """Rewrite the table's small data files into files of ~``target_file_bytes`` (Iceberg's
    ``rewrite_data_files``, one commit; readers see the same rows). Returns what it rewrote."""
    ref = _existing(spark, path, catalog)
    row = _call(spark, ref, "rewrite_data_files",
                options=f"map('target-file-size-bytes', '{target_file_bytes}', 'min-input-files', '2')")[0]
    return {"rewritten_data_files": int(row.rewritten_data_files_count),
            "added_data_files": int(row.added_data_files_count),
            "rewritten_bytes": int(row.rewritten_bytes_count)}


def expire_snapshots(spark: SparkSession, path: str, older_than_ms: int, retain_last: int,
                     catalog: IcebergCatalog = DEFAULT_CATALOG) -> dict[str, int]:
    """Expire the snapshots older than ``older_than_ms`` (epoch ms) beyond the last ``retain_last`` of
    ``main`` (Iceberg's ``expire_snapshots``): ``dea-etl table rollback`` and time travel reach back only
    to the snapshots kept; snapshots a branch or tag still points to (a run's staged write) are always
    kept. Deletes the files only the expired snapshots used. Returns how many files went."""
    ref = _existing(spark, path, catalog)
    row = _call(spark, ref, "expire_snapshots", older_than=_timestamp(older_than_ms),
                retain_last=str(max(1, retain_last)))[0]
    return {name: int(row[name]) for name in row.asDict()}


def remove_orphan_files(spark: SparkSession, path: str, older_than_ms: int,
                        catalog: IcebergCatalog = DEFAULT_CATALOG) -> list[str]:
    """Delete the files under the table's location that no snapshot references and that are older than
    ``older_than_ms`` (epoch ms): what killed writes left (Iceberg's ``remove_orphan_files``; a write still
    running is younger than that). Returns the deleted paths."""
    ref = _existing(spark, path, catalog)
    return [str(r.orphan_file_location) for r in
            _call(spark, ref, "remove_orphan_files", older_than=_timestamp(older_than_ms))]
