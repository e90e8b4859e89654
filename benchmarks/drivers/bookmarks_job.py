"""Bookmarks bench driver, run by ``benchmarks/bookmarks.py`` through spark-submit.

``bookmarks_job.py SRC NEW_FILE OUT STORE RUNS`` prints one JSON object ``{"full": [...], "incremental": [...]}``:
seconds of a full csv_to_parquet run and of a bookmarked run that finds one new file, in one warm Spark process.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
import time

from rich.console import Console

from dea_etl.bookmarks import open_store, reset_bookmark
from dea_etl.pipelines import JOBS
from dea_etl.runtime import get_spark, run_job


def main(argv: list[str]) -> None:
    src, new_file, out, store, runs = argv[0], argv[1], argv[2], argv[3], int(argv[4])
    spark, _ = get_spark("bench-bookmarks")
    spark.sparkContext.setLogLevel("ERROR")
    job = JOBS["csv_to_parquet"]
    common = ["--table", "orders", "--input", src, "--JOB_NAME", "bench_orders", "--bookmark-store", store]
    enable = ["--output", out + "/incremental", "--job-bookmark-option", "job-bookmark-enable"]
    quiet = Console(file=io.StringIO())

    def timed(args: list[str]) -> float:
        t0 = time.perf_counter()
        if run_job(job, args, console=quiet) != 0:
            raise SystemExit(f"run failed: {args}")
        return round(time.perf_counter() - t0, 3)

    timed([*common, *enable, "--run-id", "prepare"])  # the 1,000 old files are processed
    shutil.copy(new_file, src)  # then 1 new file arrives
    full, incremental = [], []
    for i in range(runs + 1):
        f = timed([*common, "--output", out + "/full"])
        n = timed([*common, *enable])
        reset_bookmark(open_store(store), "bench_orders", "prepare")  # the new file is new again
        if i:  # the first round warms up
            full.append(f)
            incremental.append(n)
    print(json.dumps({"full": full, "incremental": incremental}))


if __name__ == "__main__":
    main(sys.argv[1:])
