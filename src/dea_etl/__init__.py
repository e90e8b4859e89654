"""dea-etl: reusable PySpark ETL jobs for an AWS data lake.

Typed CSV -> Parquet with quarantine, sales marts, DQDL data quality and job bookmarks that run the same
locally, in tests, on AWS Glue 5, on EMR 7 and on EMR Serverless.

The public API is what :data:`PUBLIC` lists (and ``__all__``): ``from dea_etl import evaluate, run_job``.
Names are imported on first use, so ``import dea_etl`` stays cheap. Everything else in the package may
change between versions. The guide ``docs/write-your-own-job.md`` shows them at work (a test runs it).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers see; at run time __getattr__ imports on first use
    from dea_etl.errors import (
        AccountingError,
        DeaEtlError,
        InputError,
        JobArgumentError,
        OutputError,
        UnknownTableError,
    )
    from dea_etl.io.catalogs import IcebergCatalog
    from dea_etl.io.lake import Lake, quarantine_path
    from dea_etl.io.parquet import write_parquet
    from dea_etl.io.tables import TableFormat, read_any, read_table, stage_table, write_table
    from dea_etl.pipelines.convert import read_csv_table
    from dea_etl.pipelines.formats import FORMAT_ARGS
    from dea_etl.pipelines.incremental import TableSource, convert_tables, open_bookmarks
    from dea_etl.quality.evaluate import evaluate, evaluate_rows
    from dea_etl.quality.gate import DataQualityError, gate
    from dea_etl.quality.parser import DqdlSyntaxError, parse_ruleset
    from dea_etl.runtime import Arg, JobContext, JobSpec, TableResult, get_spark, run_job
    from dea_etl.schemas import Column, TableSpec
    from dea_etl.tables import lake_table, source_table
    from dea_etl.tables.files import read_table_file

__version__ = "0.1.0"

#: The public API: name -> the module that defines it, grouped by what it is for.
PUBLIC: dict[str, str] = {
    # Your own job: arguments, context, the one way to run it (exit codes, summary, commit on success).
    "Arg": "dea_etl.runtime",
    "JobContext": "dea_etl.runtime",
    "JobSpec": "dea_etl.runtime",
    "TableResult": "dea_etl.runtime",
    "run_job": "dea_etl.runtime",
    "get_spark": "dea_etl.runtime",
    # Tables: the schema of a table, from code, a table file or the Glue Data Catalog.
    "Column": "dea_etl.schemas",
    "TableSpec": "dea_etl.schemas",
    "read_table_file": "dea_etl.tables.files",
    "source_table": "dea_etl.tables",
    "lake_table": "dea_etl.tables",
    "Lake": "dea_etl.io.lake",
    "quarantine_path": "dea_etl.io.lake",
    # Reading CSV with quarantine; plain Parquet tables (Hive layout, each file named for its run).
    "read_csv_table": "dea_etl.pipelines.convert",
    "write_parquet": "dea_etl.io.parquet",
    "read_table": "dea_etl.io.tables",
    # Either table format (--table-format parquet|iceberg): written, then published.
    "TableFormat": "dea_etl.io.tables",
    "IcebergCatalog": "dea_etl.io.catalogs",
    "stage_table": "dea_etl.io.tables",
    "write_table": "dea_etl.io.tables",
    "read_any": "dea_etl.io.tables",
    "FORMAT_ARGS": "dea_etl.pipelines.formats",
    # CSV -> Parquet with job bookmarks (only new files; one commit after everything is published).
    "TableSource": "dea_etl.pipelines.incremental",
    "open_bookmarks": "dea_etl.pipelines.incremental",
    "convert_tables": "dea_etl.pipelines.incremental",
    # Data quality: DQDL evaluation and the fail / quarantine gate.
    "evaluate": "dea_etl.quality",
    "evaluate_rows": "dea_etl.quality",
    "parse_ruleset": "dea_etl.quality",
    "DqdlSyntaxError": "dea_etl.quality",
    "gate": "dea_etl.quality.gate",
    "DataQualityError": "dea_etl.quality.gate",
    # Errors: every error dea_etl raises derives from DeaEtlError and carries its exit code.
    "DeaEtlError": "dea_etl.errors",
    "JobArgumentError": "dea_etl.errors",
    "UnknownTableError": "dea_etl.errors",
    "InputError": "dea_etl.errors",
    "AccountingError": "dea_etl.errors",
    "OutputError": "dea_etl.errors",
}

#: The same names as PUBLIC (a test keeps them equal), spelled out for linters and type checkers.
__all__ = [
    "FORMAT_ARGS",
    "PUBLIC",
    "AccountingError",
    "Arg",
    "Column",
    "DataQualityError",
    "DeaEtlError",
    "DqdlSyntaxError",
    "IcebergCatalog",
    "InputError",
    "JobArgumentError",
    "JobContext",
    "JobSpec",
    "Lake",
    "OutputError",
    "TableFormat",
    "TableResult",
    "TableSource",
    "TableSpec",
    "UnknownTableError",
    "__version__",
    "convert_tables",
    "evaluate",
    "evaluate_rows",
    "gate",
    "get_spark",
    "lake_table",
    "open_bookmarks",
    "parse_ruleset",
    "quarantine_path",
    "read_any",
    "read_csv_table",
    "read_table",
    "read_table_file",
    "run_job",
    "source_table",
    "stage_table",
    "write_parquet",
    "write_table",
]


def __getattr__(name: str) -> Any:
    if name in PUBLIC:
        value = getattr(importlib.import_module(PUBLIC[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'dea_etl' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
