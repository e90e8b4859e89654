"""Apache Iceberg tables: staged on a branch, published to ``main`` in one commit.

A table is named by its path, as a Parquet table is. Where it is registered depends on the catalog:

- ``lake`` (the default locally): an Iceberg ``HadoopCatalog`` whose warehouse is the table's parent
  folder, so ``<parent>/<name>`` is the table ``<name>`` (no server, no database: the catalog is the
  lake itself; a ``lake/`` folder or ``s3://`` through S3A). The Spark catalog is registered on first use
  under a name derived from the parent folder.
- any other name (``glue_catalog`` on AWS): a Spark catalog configured in the session (see
  :func:`catalog_conf`), the table ``<catalog>.<namespace>.<name>`` created at the given path.

Writes (:func:`stage_iceberg`): the rows are written to a new branch of the table (created at the
current ``main`` snapshot, or with the table when it does not exist yet), as one snapshot whose summary
carries the run id (:data:`RUN_ID_PROPERTY`). Publishing fast-forwards ``main`` to that snapshot and
removes the branch in one metadata commit; a write that fails, or is discarded, leaves ``main`` as it
was. Fast-forwarding fails when ``main`` moved since the branch was made (another writer): nothing is
lost, the run fails.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructField, StructType

from dea_etl.errors import OutputError
from dea_etl.faults import checkpoint
from dea_etl.io import files
from dea_etl.io.parquet import check_mode, cluster_by_partitions

EXTENSIONS = "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
#: The catalog kept in the lake itself (HadoopCatalog over each table's parent folder).
LAKE_CATALOG = "lake"
#: The Spark catalog name the AWS targets configure for the Glue Data Catalog.
GLUE_CATALOG = "glue_catalog"
DEFAULT_NAMESPACE = "dea_etl"
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
}


def session_conf(extensions: str | None = None) -> dict[str, str]:
    """Settings a session needs when it is built: Iceberg's SQL extensions (CALL, branches in DDL), added to
    the ``extensions`` the session would otherwise get (a comma-separated list, e.g. from spark-submit)."""
    given = [e.strip() for e in (extensions or "").split(",") if e.strip()]
    return {"spark.sql.extensions": ",".join(given if EXTENSIONS in given else [*given, EXTENSIONS])}


#: Settings for local sessions: Iceberg's vectorized (Arrow) Parquet reader off. With Iceberg 1.7.1 on the
#: local JDK 17 it corrupts the JVM's memory reading dictionary-encoded columns (the JVM dies in
#: SymbolTable::do_lookup while compiling ``GenericArrowVectorAccessorFactory$Dictionary*Accessor``;
#: reproduced reading the processed tripdata); row-based reads give the same rows.
LOCAL_READ_CONF: dict[str, str] = {"spark.sql.iceberg.vectorization.enabled": "false"}


def catalog_conf(warehouse: str, name: str = GLUE_CATALOG) -> dict[str, str]:
    """The Spark settings of an Iceberg catalog on the AWS Glue Data Catalog (S3FileIO, ``warehouse``)."""
    prefix = f"spark.sql.catalog.{name}"
    return {
        prefix: "org.apache.iceberg.spark.SparkCatalog",
        f"{prefix}.catalog-impl": "org.apache.iceberg.aws.glue.GlueCatalog",
        f"{prefix}.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
        f"{prefix}.warehouse": warehouse,
    }


@dataclass(frozen=True)
class IcebergCatalog:
    """Which catalog Iceberg tables go to: :data:`LAKE_CATALOG` or a configured Spark catalog + namespace."""

    name: str = LAKE_CATALOG
    namespace: str = DEFAULT_NAMESPACE


def _quote(part: str) -> str:
    return "`" + part.replace("`", "``") + "`"


def catalog_table_name(path: str) -> str:
    """The name of the table at ``path`` in a shared catalog: the parts after ``processedData/`` (or the
    folder name), lower case, joined by ``_``: ``.../processedData/_dq/orders/outcomes`` ->
    ``dq_orders_outcomes``."""
    parts = [p for p in path.rstrip("/").split("/") if p]
    if "processedData" in parts:
        parts = parts[len(parts) - parts[::-1].index("processedData"):]
    else:
        parts = parts[-1:]
    name = re.sub(r"[^a-z0-9_]+", "_", "_".join(parts).lower()).strip("_")
    if not name:
        raise ValueError(f"no table name in {path!r}")
    return name


def _lake_catalog(spark: SparkSession, warehouse: str) -> str:
    """The Spark catalog (a HadoopCatalog over ``warehouse``), registered in the session if new."""
    name = "dea_lake_" + hashlib.sha1(warehouse.encode()).hexdigest()[:12]
    prefix = f"spark.sql.catalog.{name}"
    if spark.conf.get(prefix, None) is None:
        spark.conf.set(f"{prefix}.type", "hadoop")
        spark.conf.set(f"{prefix}.warehouse", warehouse)
        spark.conf.set(prefix, "org.apache.iceberg.spark.SparkCatalog")
    return name


@dataclass(frozen=True)
class TableRef:
    """An Iceberg table: its Spark identifier and the location it is created at (None: the catalog's)."""

    ident: str
    location: str | None = None

    def branch(self, name: str) -> str:
        return f"{self.ident}.{_quote('branch_' + name)}"


def table_ref(spark: SparkSession, path: str, catalog: IcebergCatalog = IcebergCatalog()) -> TableRef:
    """The Iceberg table for ``path`` in ``catalog`` (see the module doc)."""
    if catalog.name == LAKE_CATALOG:
        qualified = files.qualify(spark, path).rstrip("/")
        parent, _, name = qualified.rpartition("/")
        return TableRef(f"{_lake_catalog(spark, parent)}.{_quote(name)}")
    ident = ".".join([_quote(catalog.name), _quote(catalog.namespace), _quote(catalog_table_name(path))])
    return TableRef(ident, path.rstrip("/"))


def java_table(spark: SparkSession, ref: TableRef) -> Any:
    """The ``org.apache.iceberg.Table`` behind ``ref`` (for snapshot and branch operations)."""
    jvm: Any = spark.sparkContext._jvm
    return jvm.org.apache.iceberg.spark.Spark3Util.loadIcebergTable(spark._jsparkSession, ref.ident)


def table_exists(spark: SparkSession, ref: TableRef) -> bool:
    return bool(spark._jsparkSession.catalog().tableExists(ref.ident))


def _nullable(schema: StructType) -> StructType:
    """Every column nullable: appends of computed frames must not trip over a NOT NULL column."""
    return StructType([StructField(f.name, f.dataType, True, f.metadata) for f in schema.fields])


def _create(df: DataFrame, ref: TableRef, partition_by: Sequence[str]) -> None:
    """Create the table with ``df``'s columns, empty (one empty snapshot on ``main``)."""
    spark = df.sparkSession
    if ref.location:  # a shared catalog (the Glue Data Catalog): its database may not exist yet
        spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {ref.ident.rsplit('.', 1)[0]}")
    writer = spark.createDataFrame([], _nullable(df.schema)).writeTo(ref.ident).using("iceberg")
    for key, value in TABLE_PROPERTIES.items():
        writer = writer.tableProperty(key, value)
    if ref.location:
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
                "Base": self.base_snapshot_id}

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
        """One metadata commit: ``main`` fast-forwarded to the staged snapshot, the branch removed."""
        if self.published:
            return
        checkpoint(f"publish:{self.path.rstrip('/').rpartition('/')[2]}")
        table = java_table(self.spark, self.ref)
        table.manageSnapshots().fastForwardBranch(MAIN, self.branch).removeBranch(self.branch).commit()
        self.published = True

    def discard(self) -> None:
        """Forget the staged rows: the branch goes (and the table, when this write created it)."""
        if self.published:
            return
        if self.created:
            self.spark.sql(f"DROP TABLE IF EXISTS {self.ref.ident} PURGE")
            return
        table = java_table(self.spark, self.ref)
        if table.refs().containsKey(self.branch):
            table.manageSnapshots().removeBranch(self.branch).commit()


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
    catalog: IcebergCatalog = IcebergCatalog(),
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
        _create(df, ref, partition_by)
    table = java_table(spark, ref)
    base = int(table.currentSnapshot().snapshotId())
    branch = _branch_name(run_id)
    table.manageSnapshots().createBranch(branch, base).commit()
    staged = StagedIceberg(spark, ref, branch, run_id, mode, base, created, target, catalog)
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
    except BaseException:
        staged.discard()
        raise
    return staged


def read_iceberg(spark: SparkSession, path: str, catalog: IcebergCatalog = IcebergCatalog()) -> DataFrame:
    """The current (``main``) rows of the Iceberg table at ``path``, as committed now: the session's catalog
    caches a table it loaded (Iceberg's CachingCatalog, 30 s), so the table is refreshed first, or a commit
    made by another process meanwhile would not be seen."""
    ref = table_ref(spark, path, catalog)
    java_table(spark, ref).refresh()
    return spark.table(ref.ident)


def is_iceberg_table(spark: SparkSession, path: str, catalog: IcebergCatalog = IcebergCatalog()) -> bool:
    return table_exists(spark, table_ref(spark, path, catalog))


def published_run_ids(spark: SparkSession, path: str, catalog: IcebergCatalog = IcebergCatalog()) -> set[str]:
    """The run ids in the summaries of the snapshots ``main`` went through (empty when no table)."""
    ref = table_ref(spark, path, catalog)
    if not table_exists(spark, ref):
        return set()
    java_table(spark, ref).refresh()  # see read_iceberg
    rows = spark.sql(
        f"SELECT s.summary['{RUN_ID_PROPERTY}'] AS run_id FROM {ref.ident}.history h "
        f"JOIN {ref.ident}.snapshots s ON h.snapshot_id = s.snapshot_id WHERE h.is_current_ancestor"
    ).collect()
    return {r.run_id for r in rows if r.run_id}


def history(spark: SparkSession, path: str, catalog: IcebergCatalog = IcebergCatalog()) -> DataFrame:
    """Every snapshot of the table at ``path``, oldest first: when, operation, run id, rows, and whether
    ``main`` went through it (``is_current_ancestor``) and is at it (``is_current``)."""
    ref = table_ref(spark, path, catalog)
    table = java_table(spark, ref)
    table.refresh()  # see read_iceberg
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


def rollback(spark: SparkSession, path: str, snapshot_id: int, catalog: IcebergCatalog = IcebergCatalog()) -> int:
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
        table.refresh()  # the session's catalog may cache it from before the stopped run wrote
        on_branch = bool(table.refs().containsKey(branch))
        on_main = run in published_run_ids(spark, path, catalog)
        if forward:
            if on_main:
                continue
            if not on_branch:
                raise OutputError(f"{path}: the staged snapshot of run {run} is gone (branch {branch} was "
                                  "discarded); release without --commit")
            table.manageSnapshots().fastForwardBranch(MAIN, branch).removeBranch(branch).commit()
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
