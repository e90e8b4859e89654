"""Where csv_to_parquet's time goes: each stage of the job timed in one warm Spark process.

Run by ``make bench`` through spark-submit: ``csv_profile_job.py CSV WORKDIR RUNS`` prints one JSON
object of stage -> list of seconds. Stages add one piece of work at a time to the same scan. Each stage
is reported twice: wall seconds, and the CPU seconds the JVM and this Python process used meanwhile (on
a machine shared with other work, CPU seconds hold where wall seconds do not).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from dea_etl.io.csv import is_skipped_line, read_lines
from dea_etl.pipelines.convert import ConvertRequest, convert, parsed_rows
from dea_etl.runtime.session import get_spark
from dea_etl.tables.seed import ORDERS
from dea_etl.transforms.parsing import RAW_LINE, has_bad_bytes, parse_csv_lines, valid_rows
from dea_etl.transforms.records import opens_quoted_field


def _noop(df: DataFrame) -> None:
    df.write.format("noop").mode("overwrite").save()


def _cpu_seconds() -> float:
    """CPU seconds used so far by this process and its parent (spark-submit's JVM, where the tasks run)."""
    total = 0.0
    for pid in (os.getpid(), os.getppid()):
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def stages(spark: SparkSession, path: str, out: str) -> dict[str, Callable[[], object]]:
    def lines() -> DataFrame:
        return read_lines(spark, [path])

    def rows() -> DataFrame:
        return parsed_rows(lines().where(~is_skipped_line(ORDERS)), ORDERS)

    no_dates = [c for c in ORDERS.columns if c.type != "date"]
    checks = (~is_skipped_line(ORDERS), opens_quoted_field(F.col(RAW_LINE)), has_bad_bytes("UTF-8"))
    return {
        "1 read lines (text scan)": lambda: _noop(lines().select(F.length(RAW_LINE))),
        "2 + record checks (blank/header, a quote opening a record spanning lines, valid UTF-8)": lambda: _noop(
            lines().select(*checks)
        ),
        "3 + split into fields": lambda: _noop(lines().transform(parse_csv_lines(ORDERS))),
        "3a instead: Spark's CSV reader into the 16 raw columns (multiLine=false)": lambda: _noop(
            _csv_reader(spark, path, multi_line=False)
        ),
        "3b instead: Spark's CSV reader, multiLine=true (one task per file)": lambda: _noop(
            _csv_reader(spark, path, multi_line=True)
        ),
        "4 + casts, no dates": lambda: _noop(
            lines().transform(parse_csv_lines(ORDERS)).select(
                *(F.expr(f"try_cast(`{c.raw_name}` AS {c.type})") for c in no_dates)
            )
        ),
        "5 + dates, finite checks and the reject flag (the valid rows)": lambda: _noop(
            rows().transform(valid_rows(ORDERS))
        ),
        "5b the same with Spark's default spark.sql.codegen.hugeMethodLimit (65535: HotSpot interprets the "
        "8,754-byte projection)": lambda: _with_conf(
            spark, "spark.sql.codegen.hugeMethodLimit", "65535", lambda: _noop(rows().transform(valid_rows(ORDERS)))
        ),
        "6 write Parquet, unpartitioned": lambda: rows()
        .transform(valid_rows(ORDERS))
        .drop("year", "month")
        .write.mode("overwrite")
        .parquet(f"{out}/unpartitioned"),
        "7 write Parquet, year/month, no shuffle": lambda: rows()
        .transform(valid_rows(ORDERS))
        .write.mode("overwrite")
        .partitionBy("year", "month")
        .parquet(f"{out}/partitioned_noshuffle"),
        "8 the job's conversion: staged year/month write (shuffled), counts, accounting, publish": lambda: convert(
            spark, ConvertRequest(ORDERS, [path], f"{out}/job", f"{out}/job_quarantine", "profile")
        ),
        "9 the course script's work: schema inference + count + write": lambda: _course(spark, path, out),
    }


def _with_conf(spark: SparkSession, key: str, value: str, fn: Callable[[], None]) -> None:
    before = spark.conf.get(key) or value
    spark.conf.set(key, value)
    try:
        fn()
    finally:
        spark.conf.set(key, before)


def _csv_reader(spark: SparkSession, path: str, *, multi_line: bool) -> DataFrame:
    """The alternative to reading lines: Spark's CSV reader (RFC 4180 records spanning lines with
    ``multiLine``), every field as text and malformed records kept whole."""
    return (
        spark.read.schema(ORDERS.text_schema.add("_corrupt_record", "string"))
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", "_corrupt_record")
        .option("escape", '"')
        .option("multiLine", str(multi_line).lower())
        .csv(path)
    )


def _course(spark: SparkSession, path: str, out: str) -> None:
    df = spark.read.option("header", "false").option("inferSchema", "true").csv(path)
    df.count()
    df.write.mode("overwrite").parquet(f"{out}/course")


def main(argv: list[str]) -> int:
    path, out, runs = argv[0], argv[1], int(argv[2])
    spark, _ = get_spark("csv-profile")
    results: dict[str, list[float]] = {}
    work = stages(spark, path, out)
    next(iter(work.values()))()  # warm-up (JIT, page cache), untimed: stage 1 would otherwise carry it
    for name, fn in work.items():
        wall, cpu = [], []
        for _ in range(runs):
            c0, t0 = _cpu_seconds(), time.perf_counter()
            fn()
            wall.append(round(time.perf_counter() - t0, 3))
            cpu.append(round(_cpu_seconds() - c0, 3))
        results[name] = wall
        results[f"{name} (CPU s)"] = cpu
    print("PROFILE " + json.dumps(results))
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
