"""Iceberg against plain Parquet: csv_to_parquet on the bench's orders, and sales_mart over each format.

a/b: csv_to_parquet of the same orders with ``--table-format iceberg`` (a new table each run, in a new
folder with its own SQLite catalog: staged on a branch, main fast-forwarded) and with plain Parquet (Hive
layout, files named for the run). c/d: sales_mart over a lake of Iceberg tables and over the same lake in
Parquet. Target: Iceberg <= 1.1 x Parquet.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from benchmarks import DRIVERS, REPO, BenchContext, Ratio, Section, Timing
from benchmarks import run as run_command

TARGET_RATIO = 1.1
FORMATS = ("iceberg", "parquet")


def _lake(ctx: BenchContext, fmt: str) -> Path:
    """customers, employees and the bench's orders converted once (untimed) into a lake in ``fmt``."""
    lake = ctx.workdir / f"iceberg_bench_{fmt}_lake"
    shutil.rmtree(lake, ignore_errors=True)
    for table, source in (("customers", REPO / "data" / "customers.csv"),
                          ("employees", REPO / "data" / "employees.csv"), ("orders", ctx.orders_csv())):
        run_command(ctx.submit_cmd(REPO / "jobs" / "csv_to_parquet.py", "--table", table, "--input", str(source),
                                   "--output", str(lake / "processedData" / table), "--table-format", fmt))
    return lake


def _convert(ctx: BenchContext, label: str, fmt: str) -> Timing:
    folder = ctx.workdir / "out" / f"iceberg_bench_{fmt}"
    out = folder / "orders"
    # each run writes a new table: the folder (and, for Iceberg, its catalog file) is removed (untimed) before it
    clear = [ctx.python, str(DRIVERS / "remove_tree.py"), str(folder)]
    return ctx.time(f"{label}: csv_to_parquet orders --table-format {fmt} (spark-submit)",
                    ctx.submit_cmd(REPO / "jobs" / "csv_to_parquet.py", "--table", "orders", "--input",
                                   str(ctx.orders_csv()), "--output", str(out), "--table-format", fmt),
                    before=clear)


def run(ctx: BenchContext) -> Section:
    convert = {fmt: _convert(ctx, label, fmt) for label, fmt in zip("ab", FORMATS, strict=True)}
    marts = {
        fmt: ctx.time(f"{label}: sales_mart --table-format {fmt} (spark-submit)",
                      ctx.submit_cmd(REPO / "jobs" / "sales_mart.py", "--lake", str(_lake(ctx, fmt)),
                                     "--table-format", fmt))
        for label, fmt in zip("cd", FORMATS, strict=True)
    }
    section = Section("Iceberg tables against plain Parquet", [*convert.values(), *marts.values()])
    section.ratios = [
        Ratio("a / b (csv_to_parquet: Iceberg vs Parquet)", convert["iceberg"].median / convert["parquet"].median,
              TARGET_RATIO),
        Ratio("c / d (sales_mart: Iceberg vs Parquet)", marts["iceberg"].median / marts["parquet"].median,
              TARGET_RATIO),
    ]
    section.notes.append(
        "Iceberg writes: the table is created (one empty snapshot), the rows are written to a branch as one "
        "snapshot, and main is fast-forwarded to it in one metadata commit (Iceberg's JDBC catalog on the lake's "
        "SQLite file). Parquet writes: the files go straight into the Hive-layout table, each named for its run."
    )
    return section
