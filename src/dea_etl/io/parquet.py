"""Plain Parquet tables in Hive layout: what Glue's own sink writes, and nothing a reader must understand.

    <table>/year=2014/month=5/part-00000-<run>-<uuid>.c000.snappy.parquet

Any Parquet reader maps the ``key=value`` folders to columns (Spark, Athena, a Glue crawler, DuckDB or
pyarrow with Hive partitioning). Every data file's name carries the run that wrote it (the commit protocol
of ``dea-etl-spark.jar``, see :mod:`dea_etl.jvm`, reads the run id from the write's options), so the
files of one run are known without a manifest. A write goes straight into the table through the session's
committer (S3A's magic committer on S3: multipart uploads completed at job commit, no rename, no copy;
Hadoop's FileOutputCommitter locally) in one of three modes:

- ``append``: the run's files are added;
- ``overwrite``: the run's files are written, then (:meth:`StagedParquet.publish`) every other data file
  of the table is deleted;
- ``overwrite-partitions``: the run's files are written, then the other data files of the partitions the
  run wrote are deleted (dynamic partition overwrite); partitions it did not write are kept.

The contract is Glue's: a reader during a write may see part of it (the new files beside the old ones of a
replaced partition, or some of the new files); a failed write removes its files (:meth:`discard`); after a
kill, rerunning gives exactly the uninterrupted result: an overwrite replaces everything again, and an
append's files are removed first (:func:`remove_run`, which ``dea-etl bookmark release`` runs for a
bookmarked append). A job deletes only data files of a folder it can tell is a Parquet table
(:func:`check_table_folder`): a folder that holds anything else is refused before anything is written.

Partitioned tables are written one file per partition per ~``target_file_bytes``: the rows are first
repartitioned by the partition columns (every partition's rows meet in one task, which writes one file;
without it each task writes a file for every partition it holds) and ``maxRecordsPerFile`` splits a
partition larger than the target. That costs a shuffle of the table's rows (see ``cluster_partitions``).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from dea_etl.errors import JobArgumentError, OutputError
from dea_etl.faults import checkpoint
from dea_etl.io import storage
from dea_etl.io.discover import is_data_file

MODES = ("overwrite", "overwrite-partitions", "append")

#: About this much data per Parquet file of a partitioned table.
TARGET_FILE_BYTES = 128 * 1024 * 1024

#: The write option (and Hadoop configuration key) the commit protocol reads the run id from.
RUN_ID_OPTION = "dea-etl.run-id"
#: The commit protocols that put the run id into each file name (``dea-etl-spark.jar``): Spark's cloud
#: protocol (S3A's magic committer; FileOutputCommitter locally), and Spark's default one, through which
#: Glue and EMR bind their own S3 committers.
RUN_NAMED_CLOUD_PROTOCOL = "dea_etl.spark.RunNamedCloudCommitProtocol"
RUN_NAMED_PROTOCOL = "dea_etl.spark.RunNamedCommitProtocol"
COMMIT_PROTOCOL = "spark.sql.sources.commitProtocolClass"

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
#: Files Spark, Hadoop and the S3A committers keep beside the data, which readers skip.
_BOOKKEEPING = re.compile(r"(_SUCCESS|_temporary|__magic.*|_committer_.*|\..*\.crc|_common_metadata|_metadata)")


def write_token(run_id: str) -> str:
    """The run id as it is written into file names: letters, digits and ``_`` in ``-``-separated words."""
    words = [re.sub(r"[^A-Za-z0-9_]", "_", w) for w in run_id.split("-") if w]
    return "-".join(w for w in words if w) or "run"


def new_write_id() -> str:
    """Tells apart two writes of one run into one table (``w`` and 7 hex digits)."""
    return "w" + uuid.uuid4().hex[:7]


_WRITE = r"w[0-9a-f]{7}"


def is_run_file(name: str, token: str, write: str | None = None) -> bool:
    """True when the data file ``name`` was written by the run whose :func:`write_token` is ``token`` (by
    its write ``write``, when given): ``part-00000-<token>-<write>-<uuid>.c000.snappy.parquet``."""
    which = re.escape(write) if write else _WRITE
    return re.fullmatch(rf"part-\d+-{re.escape(token)}-{which}-{_UUID}.*\.parquet", name) is not None


def run_of(name: str) -> str | None:
    """The run token in a data file's name, None when the name carries none (another writer's file)."""
    found = re.fullmatch(rf"part-\d+-(.+)-{_WRITE}-{_UUID}.*\.parquet", name)
    return found.group(1) if found else None


def records_per_file(df: DataFrame, target_file_bytes: int = TARGET_FILE_BYTES) -> int:
    """How many rows make ~``target_file_bytes``, judged by Spark's default size of the row's columns.

    The estimate is of the uncompressed row; Parquet files come out smaller (typically 2-4x).
    """
    row_bytes = max(1, int(df._jdf.schema().defaultSize()))
    return max(1, target_file_bytes // row_bytes)


def cluster_by_partitions(df: DataFrame, partition_by: Sequence[str]) -> DataFrame:
    """Every partition's rows in one of a few write tasks per core (so each partition is one file).

    An explicit number of write tasks, a few per core: adaptive execution would otherwise coalesce
    the shuffle into as few tasks as its size allows (3 tasks on 2 cores for 3M orders: the
    third runs alone; measured 7 s for the write stage). Each partition value still lands in
    exactly one task, so the number of files does not grow.
    """
    tasks = 4 * df.sparkSession.sparkContext.defaultParallelism
    return df.repartition(tasks, *(F.col(c) for c in partition_by))


def check_mode(mode: str, partition_by: Sequence[str]) -> None:
    """A write mode every table format accepts (``overwrite-partitions`` needs partition columns)."""
    if mode not in MODES:
        raise JobArgumentError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if mode == "overwrite-partitions" and not partition_by:
        raise JobArgumentError("mode 'overwrite-partitions' needs partition columns")


def _foreign(folders: Sequence[str], names: Sequence[str]) -> list[str]:
    """What in one folder level of a table is not a Parquet table's: data files, ``key=value`` partition
    folders and the bookkeeping Spark and the committers keep (``_SUCCESS``, ``_temporary``, ``__magic*``,
    ``.crc``) are."""
    odd = [f"{d}/" for d in folders if "=" not in d and not _BOOKKEEPING.fullmatch(d)]
    odd += [n for n in names if not is_data_file(n) and not _BOOKKEEPING.fullmatch(n)]
    return odd


def check_table_folder(location: str, *, deep: bool = False) -> None:
    """Raise :class:`OutputError` naming what is there when the folder ``location`` holds anything a
    Parquet table does not (another table, an Iceberg table's ``metadata/``, a user's ``notes.txt``).

    Only the folder's own level is looked at (one listing) unless ``deep``, when every level is (the
    table's full listing, as an overwrite makes anyway). A missing or empty folder is a new table.
    """
    from dea_etl.io.legacy import refuse_legacy

    refuse_legacy(location)
    folders, names = storage.children(location)
    odd = _foreign(folders, names)
    if not odd and deep:
        for rel, _ in storage.list_tree(location):
            parts = rel.split("/")
            if any(_BOOKKEEPING.fullmatch(p) for p in parts):
                continue
            if any("=" not in p for p in parts[:-1]) or not (is_data_file(parts[-1])):
                odd.append(rel)
    if odd:
        if "metadata/" in odd and "data/" in odd:
            raise OutputError(f"{location} is an Iceberg table (data/, metadata/), not a Parquet table; "
                              "write it with --table-format iceberg, or choose another output")
        shown = ", ".join(sorted(odd)[:5]) + (f" and {len(odd) - 5} more" if len(odd) > 5 else "")
        raise OutputError(f"{location} holds {shown}, which no Parquet table written by dea-etl holds; "
                          "nothing was written: choose the table's own folder (e.g. processedData/orders)")


def _data_files(location: str) -> list[tuple[str, storage.FileInfo]]:
    """The table's data files as (path relative to the table, info): Bookkeeping folders skipped."""
    return [(rel, info) for rel, info in storage.list_tree(location)
            if is_data_file(rel.rsplit("/", 1)[-1]) and not any(_BOOKKEEPING.fullmatch(p) for p in rel.split("/"))]


def run_files(location: str, token: str, write: str | None = None) -> list[str]:
    """The data files (relative paths) the run ``token`` (its write ``write``) wrote into the table."""
    return [rel for rel, _ in _data_files(location) if is_run_file(rel.rsplit("/", 1)[-1], token, write)]


def remove_run(location: str, token: str, write: str | None = None) -> list[str]:
    """Delete the data files the run ``token`` (its write ``write``) wrote into the table (a killed or
    failed run's); returns them (relative paths). Other runs' files are untouched."""
    mine = run_files(location, token, write)
    storage.delete_files(location, mine)
    return mine


def replaced_files(location: str, token: str, write: str, mode: str) -> list[str]:
    """The data files an ``overwrite`` (all others) or ``overwrite-partitions`` (the others in the
    partitions the write wrote) by the write ``token``/``write`` replaces; none for ``append``."""
    if mode == "append":
        return []
    listed = [rel for rel, _ in _data_files(location)]
    mine = [rel for rel in listed if is_run_file(rel.rsplit("/", 1)[-1], token, write)]
    if mode == "overwrite":
        return [rel for rel in listed if rel not in set(mine)]
    written = {rel.rpartition("/")[0] for rel in mine}
    return [rel for rel in listed if rel.rpartition("/")[0] in written and rel not in set(mine)]


def remove_leftovers(location: str, older_than_ms: int) -> list[str]:
    """Delete what killed writes leave in a Parquet table beside its data, older than ``older_than_ms``
    (a write still running is younger): Hadoop's ``_temporary/`` and S3A's ``__magic*/`` folders, and (S3)
    the multipart uploads still open under the table. Returns the files deleted (and ``N uploads``)."""
    import time

    cutoff = int(time.time() * 1000) - older_than_ms
    stale = [rel for rel, info in storage.list_tree(location)
             if rel.split("/", 1)[0] == "_temporary" or rel.split("/", 1)[0].startswith("__magic")
             if info.modified_ms < cutoff]
    storage.delete_files(location, stale)
    aborted = storage.abort_uploads(location, cutoff)
    return [*stale, *([f"{aborted} open multipart uploads"] if aborted else [])]


@dataclass
class StagedParquet:
    """The run's files, written into the table; :meth:`publish` deletes what they replace."""

    spark: SparkSession
    target: str
    token: str
    mode: str
    #: the columns written (partition columns included)
    schema: StructType = field(default_factory=StructType)
    #: this write's id (:func:`new_write_id`): a run may write one table more than once
    write: str = field(default_factory=lambda: new_write_id())
    published: bool = field(default=False, init=False)

    def publish(self) -> None:
        """Delete the data files the run's files replace (overwrite modes); nothing for an append."""
        if self.published:
            return
        checkpoint(f"publish:{self.target.rstrip('/').rsplit('/', 1)[-1]}")
        storage.delete_files(self.target, replaced_files(self.target, self.token, self.write, self.mode))
        self.published = True

    def discard(self) -> None:
        """Delete this write's files: the table is as before the write (unless it was published)."""
        if not self.published:
            remove_run(self.target, self.token, self.write)

    def claim_record(self) -> dict[str, object]:
        """What a bookmark claim records, so that ``dea-etl bookmark release`` can remove the run's files."""
        return parquet_claim_record(self.target, self.token, self.mode)

    def new_rows_df(self) -> DataFrame:
        """The rows the run wrote (its files), whatever the mode."""
        paths = [f"{self.target.rstrip('/')}/{rel}" for rel in run_files(self.target, self.token, self.write)]
        return read_files(self.spark, self.target, paths, self.schema)


def parquet_claim_record(target: str, token: str, mode: str) -> dict[str, object]:
    return {"Format": "parquet", "Table": target.rstrip("/"), "Run": token, "Mode": mode}


def commit_protocol_ready(spark: SparkSession) -> None:
    """Raise :class:`OutputError` unless the session names the run in its files (``dea-etl-spark.jar`` is
    on the classpath and a run-named commit protocol is the session's)."""
    current = spark.conf.get(COMMIT_PROTOCOL, None)
    if current not in (RUN_NAMED_CLOUD_PROTOCOL, RUN_NAMED_PROTOCOL):
        raise OutputError(
            f"plain Parquet tables need {COMMIT_PROTOCOL}={RUN_NAMED_CLOUD_PROTOCOL} (or {RUN_NAMED_PROTOCOL} on "
            f"Glue and EMR), from dea-etl-spark.jar: put `dea-etl jars` on the classpath (--jars, --extra-jars); "
            f"the session has {current!r}"
        )


def stage_parquet(
    df: DataFrame,
    target: str,
    *,
    run_id: str,
    mode: str = "overwrite",
    partition_by: Sequence[str] = (),
    cluster_partitions: bool = True,
    target_file_bytes: int = TARGET_FILE_BYTES,
    converting: bool = False,
) -> StagedParquet:
    """Write ``df`` as Snappy Parquet files named for the run into the table ``target``; publish (delete what
    they replace) later. ``converting``: the folder holds the same table in another format
    (``dea-etl table convert``), so it is not checked for foreign content.

    With ``partition_by`` and ``cluster_partitions`` (the default), each partition is written as one
    file per ~``target_file_bytes`` (a shuffle by the partition columns); without ``cluster_partitions``
    no shuffle happens and every write task writes a file for each partition it holds.
    """
    check_mode(mode, partition_by)
    spark = df.sparkSession
    target = target.rstrip("/")
    commit_protocol_ready(spark)
    if not converting:
        check_table_folder(target)
    token = write_token(run_id)
    staged = StagedParquet(spark, target, token, mode, df.schema)
    if partition_by and cluster_partitions:
        df = cluster_by_partitions(df, partition_by)
    writer = df.write.mode("append").option("compression", "snappy").option(RUN_ID_OPTION, f"{token}-{staged.write}")
    if partition_by:
        writer = writer.partitionBy(*partition_by).option("maxRecordsPerFile", records_per_file(df, target_file_bytes))
    try:
        writer.parquet(target)
    except BaseException:
        staged.discard()
        raise
    checkpoint(f"written:{target.rsplit('/', 1)[-1]}")
    return staged


def write_parquet(df: DataFrame, target: str, **options: object) -> None:
    """Write and publish in one call (see the module doc for the modes)."""
    stage_parquet(df, target, **options).publish()  # type: ignore[arg-type]


def read_files(spark: SparkSession, table: str, paths: Sequence[str], schema: StructType | None = None) -> DataFrame:
    """Some data files of the table at ``table``, with its partition columns (from their folders)."""
    if not paths:
        return spark.createDataFrame([], schema or StructType())
    reader = spark.read.option("basePath", table.rstrip("/"))
    return (reader.schema(schema) if schema is not None else reader).parquet(*paths)


def ordered_columns(names: Sequence[str], partition_by: Sequence[str]) -> list[str]:
    """Data columns, then partition columns: the order Spark gives a partitioned Parquet folder."""
    return [n for n in names if n not in partition_by] + [n for n in partition_by if n in names]


#: The footer key under which Spark keeps the schema it wrote (types Parquet's own schema cannot say).
_SPARK_SCHEMA_KEY = "org.apache.spark.sql.parquet.row.metadata"


def footer_schema(spark: SparkSession, table: str) -> StructType | None:
    """The data columns of the table at ``table`` as the footer of its first data file says (the file
    Spark itself would read them from, ``mergeSchema`` being off), read by the driver; None when the table
    has no data file.

    Spark's own schema inference reads that footer in a Spark job of its own (a job for every read of a
    table); this reads it in the driver, with the same result: the schema Spark wrote into the footer,
    else Parquet's schema converted as Spark converts it."""
    first = next((info.path for rel, info in _data_files(table)), None)
    if first is None:
        return None
    jvm: Any = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    source = jvm.org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(jvm.org.apache.hadoop.fs.Path(first), conf)
    reader = jvm.org.apache.parquet.hadoop.ParquetFileReader.open(source)
    try:
        meta = reader.getFooter().getFileMetaData()
    finally:
        reader.close()
    written = meta.getKeyValueMetaData().get(_SPARK_SCHEMA_KEY)
    if written is not None:
        return StructType.fromJson(json.loads(str(written)))
    sql_conf = spark._jsparkSession.sessionState().conf()
    converter = jvm.org.apache.spark.sql.execution.datasources.parquet.ParquetToSparkSchemaConverter(sql_conf)
    return StructType.fromJson(json.loads(str(converter.convert(meta.getSchema()).json())))


def read_parquet(spark: SparkSession, table: str, schema: StructType | None = None) -> DataFrame:
    """The Parquet table at ``table`` as any Parquet reader sees it (Hive partition folders as columns).

    ``schema``: read with these columns and types (as ``spark.read.schema(...)``; an empty or missing table
    reads as no rows); else the schema in the files (:func:`footer_schema`: no Spark job). Partition
    columns come last, as Spark orders them.
    """
    from dea_etl.io.legacy import refuse_legacy

    refuse_legacy(table)
    if schema is None:
        found = footer_schema(spark, table)
        return spark.read.parquet(table) if found is None else spark.read.schema(found).parquet(table)
    if not storage.exists(table):
        return spark.createDataFrame([], schema)
    return spark.read.schema(schema).parquet(table)
