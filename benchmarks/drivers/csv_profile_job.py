"""Where csv_to_parquet's time goes: each stage of the job timed in one warm Spark process.

Run by ``make bench`` through spark-submit: ``csv_profile_job.py CSV WORKDIR RUNS`` prints one JSON
object of stage -> list of seconds. Stages add one piece of work at a time to the same scan.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from dea_etl.io.csv import is_skipped_line, read_lines
from dea_etl.pipelines.convert import parsed_rows
from dea_etl.runtime.session import get_spark
from dea_etl.schemas import ORDERS
from dea_etl.transforms.parsing import RAW_LINE, parse_csv_lines, valid_rows


def _noop(df: DataFrame) -> None:
    df.write.format("noop").mode("overwrite").save()


def stages(spark: SparkSession, path: str, out: str) -> dict[str, Callable[[], None]]:
    def lines() -> DataFrame:
        return read_lines(spark, [path])

    def rows() -> DataFrame:
        return parsed_rows(lines().where(~is_skipped_line(ORDERS)), ORDERS)

    no_dates = [c for c in ORDERS.columns if c.type != "date"]
    return {
        "1 read lines (text scan)": lambda: _noop(lines().select(F.length(RAW_LINE))),
        "2 + split into fields": lambda: _noop(lines().transform(parse_csv_lines(ORDERS))),
        "3 + casts, no dates": lambda: _noop(
            lines().transform(parse_csv_lines(ORDERS)).select(
                *(F.expr(f"try_cast(`{c.raw_name}` AS {c.type})") for c in no_dates)
            )
        ),
        "4 + dates, checks and the reason text of every row (the quarantine pass's work)": lambda: _noop(rows()),
        "5 write Parquet, unpartitioned": lambda: rows()
        .transform(valid_rows(ORDERS))
        .drop("year", "month")
        .write.mode("overwrite")
        .parquet(f"{out}/unpartitioned"),
        "6 write Parquet, year/month, no shuffle": lambda: rows()
        .transform(valid_rows(ORDERS))
        .write.mode("overwrite")
        .partitionBy("year", "month")
        .parquet(f"{out}/partitioned_noshuffle"),
        "7 write Parquet, year/month, shuffled (one file per partition)": lambda: rows()
        .transform(valid_rows(ORDERS))
        .repartition("year", "month")
        .write.mode("overwrite")
        .partitionBy("year", "month")
        .parquet(f"{out}/partitioned_shuffled"),
    }


def main(argv: list[str]) -> int:
    path, out, runs = argv[0], argv[1], int(argv[2])
    spark, _ = get_spark("csv-profile")
    results: dict[str, list[float]] = {}
    for split_label, min_parts in (("default 128 MB splits", None), ("2 splits per core", "4")):
        if min_parts is None:
            spark.conf.unset("spark.sql.files.minPartitionNum")
        else:
            spark.conf.set("spark.sql.files.minPartitionNum", min_parts)
        for name, fn in stages(spark, path, out).items():
            if split_label.startswith("default") and not name.startswith(("1", "5")):
                continue
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                fn()
                times.append(round(time.perf_counter() - t0, 3))
            results[f"{name} [{split_label}]"] = times
    print("PROFILE " + json.dumps(results))
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
