"""What each job checks before its Spark session starts (:attr:`dea_etl.runtime.JobSpec.check`): tables that
are known, inputs that exist, outputs apart from the inputs, values that parse. A mistake then ends the
run in a moment, with the one line the run itself would have ended with. The job checks again as it runs
(where Spark sees what these looks cannot). Nothing here imports pyspark.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

from dea_etl.errors import InputError, JobArgumentError, UnknownTableError
from dea_etl.io.lake import quarantine_path
from dea_etl.io.paths import at_most_bytes
from dea_etl.preflight import LakeLookupError, check_input, check_outputs, exists, processed_root, tables_in_lake

Args = Mapping[str, "str | None"]

#: ``--table glue://DATABASE/TABLE`` (:data:`dea_etl.tables.GLUE_SCHEME`): resolved when the job runs.
GLUE_SCHEME = "glue://"
#: A table file's suffixes (:data:`dea_etl.tables.files.SUFFIXES`).
TABLE_FILE_SUFFIXES = (".json",)
#: The sample files the pipeline lays out a lake from, by table.
SAMPLE_FILES = {"customers": "customers.csv", "employees": "employees.csv", "orders": "orders.csv",
                "tripdata": "tripdata.csv"}
#: The processed tables the sales marts are built from.
MART_SOURCES = ("orders", "customers", "employees")


def _packaged(folder: str, suffix: str) -> list[str]:
    entries = (resources.files("dea_etl") / folder).iterdir()
    return sorted(e.name[: -len(suffix)] for e in entries if e.name.endswith(suffix))


def seed_tables() -> list[str]:
    """The course's tables (their table files in ``dea_etl/tables/seed/``)."""
    return _packaged("tables/seed", ".json")


def ruleset_tables() -> list[str]:
    """The tables with a shipped ruleset (``dea_etl/rules/<table>.dqdl``)."""
    return _packaged("rules", ".dqdl")


def _split(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def table_name(ref: str) -> str | None:
    """The table a ``--table`` value names: a seed table's name, or a table file's ``name`` (the file is read
    and checked: its errors are the job's); None for ``glue://`` (looked up when the job runs).
    :class:`UnknownTableError` for anything else."""
    if ref.startswith(GLUE_SCHEME):
        return None
    if ref.endswith(TABLE_FILE_SUFFIXES) or "/" in ref:
        from dea_etl.tables import source_table  # pyspark's types, no JVM

        return source_table(ref).name
    if ref not in seed_tables():
        raise UnknownTableError(f"unknown table {ref!r}; give a seed table ({', '.join(seed_tables())}), a schema "
                                "file (.json) or glue://DATABASE/TABLE")
    return ref


def _lake_path(lake: str, *parts: str) -> str:
    return "/".join([lake.rstrip("/"), *parts])


def csv_to_parquet(args: Args) -> None:
    table_name(str(args["table"]))
    source, output = str(args["input"]), str(args["output"])
    check_input(source)
    check_outputs([source], [output, args.get("quarantine") or quarantine_path(output)])


def nyc_taxi(args: Args) -> None:
    source, output = str(args["input"]), str(args["output"])
    check_input(source)
    check_outputs([source], [output, quarantine_path(output)])


def raw_to_processed(args: Args) -> None:
    lake = str(args["lake"])
    names = [table_name(ref) for ref in _split(args.get("tables"))]  # every name first: a usage error wins
    for name in names:
        if name is not None:
            check_input(_lake_path(lake, "rawData", name))


def _in_lake(lake: str) -> list[str] | None:
    """The lake's tables; None when they cannot be listed."""
    try:
        return tables_in_lake(lake)
    except LakeLookupError:
        return None


@dataclass(frozen=True)
class Month:
    """A ``--months`` entry, ``YYYY-MM``."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        try:
            year, month = (int(p) for p in text.strip().split("-"))
        except ValueError:
            raise JobArgumentError(f"--months: expected YYYY-MM, found {text.strip()!r}") from None
        if not 1 <= month <= 12:
            raise JobArgumentError(f"--months: month out of range in {text.strip()!r}")
        return cls(year, month)


def parse_months(text: str | None) -> tuple[Month, ...]:
    return tuple(Month.parse(t) for t in _split(text))


def sales_mart(args: Args) -> None:
    parse_months(args.get("months"))
    value = args.get("broadcast_max_bytes")
    if value is not None and not value.strip().isdigit():
        raise JobArgumentError(f"--broadcast-max-bytes: expected a number of bytes, found {value!r}")
    lake = str(args["lake"])
    present = _in_lake(lake)
    missing = [t for t in MART_SOURCES if present is not None and t not in present]
    if missing:
        raise InputError(f"no processed {', '.join(missing)} in {processed_root(lake)}: run raw_to_processed first")


def data_quality(args: Args) -> None:
    known = ruleset_tables()
    for table in _split(args.get("tables")):
        if table not in known:
            raise UnknownTableError(f"no ruleset for table {table!r}; rulesets: {', '.join(known)}")
    mart_quality(args)


def mart_quality(args: Args) -> None:
    check_input(processed_root(str(args["lake"])))


#: Inputs up to this size make a short run (:attr:`dea_etl.runtime.JobSpec.short_run`): the sample data is 3 MB.
SHORT_RUN_BYTES = 64 * 1024 * 1024


def short_pipeline(args: Args) -> bool:
    """The pipeline over sample files of at most :data:`SHORT_RUN_BYTES` together (``--data`` is a local folder)."""
    data = str(args.get("data") or "data").rstrip("/")
    return at_most_bytes(SHORT_RUN_BYTES, *(f"{data}/{name}" for name in SAMPLE_FILES.values()))


def short_input(args: Args) -> bool:
    """``--input``: local files of at most :data:`SHORT_RUN_BYTES` together."""
    return at_most_bytes(SHORT_RUN_BYTES, str(args["input"]))


def short_raw(args: Args) -> bool:
    """The lake's ``rawData/``: a local folder of at most :data:`SHORT_RUN_BYTES`."""
    return at_most_bytes(SHORT_RUN_BYTES, _lake_path(str(args["lake"]), "rawData"))


def short_lake(args: Args) -> bool:
    """The lake's processed tables: a local folder of at most :data:`SHORT_RUN_BYTES`."""
    return at_most_bytes(SHORT_RUN_BYTES, processed_root(str(args["lake"])))


def pipeline(args: Args) -> None:
    data = str(args.get("data") or "data").rstrip("/")
    for file_name in SAMPLE_FILES.values():
        if exists(f"{data}/{file_name}") is False:
            raise InputError(f"sample file {data}/{file_name} not found")
