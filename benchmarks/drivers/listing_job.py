"""Listing bench driver, run by ``benchmarks/listing.py`` through spark-submit.

``listing_job.py WORK RUNS COUNTS NEW`` (COUNTS: comma-separated, e.g. ``10000,100000``) prints one line
``BENCH_JSON {...}``. For each store (a local folder, then a bucket on a moto_server this driver starts on
127.0.0.1) and each count N: N small orders CSV files already processed (the bookmark covers them), NEW
files that arrived since; it times the listing alone (``dea_etl.io.files.scan``) and a bookmarked
csv_to_parquet run that must read only the NEW files, counting the S3 requests of each (moto's request
recorder). The bookmark is written as a run that finished after the old files landed would have left it
(Glue's state: CURR_RUN_START_TIME after the last old file, ``maxBand`` 0), so that the N old files need not
be read once first; between runs it is rewound to that state.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import MappingProxyType
from typing import Any

from rich.console import Console

LINES_PER_FILE = 3
BUCKET = "bench-listing"


def _lines(sample: Path, count: int) -> list[str]:
    with sample.open(encoding="utf-8") as fh:
        return [next(fh) for _ in range(count)]


class Local:
    name = "local folder"

    def __init__(self, work: Path) -> None:
        self.work = work

    def prefix(self, n: int) -> str:
        return str(self.work / f"local-{n}" / "input")

    def output(self, n: int, run: int) -> str:
        return str(self.work / f"local-{n}" / f"out-{run}")

    def put(self, n: int, names: list[str], body: str, mtime: float | None = None) -> None:
        folder = Path(self.prefix(n))
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            path = folder / name
            path.write_text(body, encoding="utf-8")
            if mtime is not None:
                os.utime(path, (mtime, mtime))

    def newest_ms(self, n: int) -> int:
        return max(int(p.stat().st_mtime * 1000) for p in Path(self.prefix(n)).iterdir())

    def clear(self, n: int) -> None:
        shutil.rmtree(self.work / f"local-{n}", ignore_errors=True)


class S3:
    name = "S3 (moto_server)"

    def __init__(self, endpoint: str) -> None:
        import boto3

        self.endpoint = endpoint
        self.client = boto3.client("s3", endpoint_url=endpoint)
        self.client.create_bucket(Bucket=BUCKET)

    def prefix(self, n: int) -> str:
        return f"s3://{BUCKET}/listing-{n}/input"

    def output(self, n: int, run: int) -> str:
        return f"s3://{BUCKET}/listing-{n}/out-{run}"

    def put(self, n: int, names: list[str], body: str, mtime: float | None = None) -> None:
        key = self.prefix(n).removeprefix(f"s3://{BUCKET}/")
        data = body.encode()
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda name: self.client.put_object(Bucket=BUCKET, Key=f"{key}/{name}", Body=data), names))

    def newest_ms(self, n: int) -> int:
        newest = 0
        key = self.prefix(n).removeprefix(f"s3://{BUCKET}/")
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=key + "/"):
            for obj in page.get("Contents", []):
                newest = max(newest, int(obj["LastModified"].timestamp() * 1000))
        return newest

    def list_ms(self) -> float:
        """What one ListObjects of a one-key prefix costs moto_server now: moto scans every key of the
        bucket for each listing, so its time grows with the bucket (S3's does not)."""
        self.client.put_object(Bucket=BUCKET, Key="probe/one", Body=b"1")
        t = time.perf_counter()
        for _ in range(20):
            self.client.list_objects_v2(Bucket=BUCKET, Prefix="probe/")
        return round((time.perf_counter() - t) / 20 * 1000, 2)

    def clear(self, n: int) -> None:
        from dea_etl.testing import reset_moto_server

        reset_moto_server(self.endpoint)
        self.client.create_bucket(Bucket=BUCKET)


def _run(job: Any, args: list[str], console: Console) -> None:
    from dea_etl.runtime import run_job

    if run_job(job, args, console=console) != 0:
        raise SystemExit(f"run failed: {args}")


def measure(spark: Any, store_kind: Any, n: int, new: int, runs: int, sample: Path, work: Path,
            endpoint: str | None) -> dict[str, Any]:
    from dea_etl.bookmarks import open_store, reset_bookmark
    from dea_etl.bookmarks.model import BookmarkEntry, SourceState
    from dea_etl.io import files
    from dea_etl.pipelines import JOBS
    from dea_etl.testing.s3_requests import recorded

    body = "".join(_lines(sample, LINES_PER_FILE))
    t0 = time.perf_counter()
    store_kind.put(n, [f"old-{i:06d}.csv" for i in range(n)], body, mtime=time.time() - 3600)
    populate = time.perf_counter() - t0
    high = store_kind.newest_ms(n) + 1
    job = f"bench_listing_{n}"
    bookmarks = work / f"bookmarks-{type(store_kind).__name__}-{n}"
    shutil.rmtree(bookmarks, ignore_errors=True)
    state = SourceState(run=1, high_ms=high, band_ms=0)
    open_store(str(bookmarks)).create(BookmarkEntry(job, version=1, run=1, run_id="prepare",
                                                    sources=MappingProxyType({"orders_source": state})))
    time.sleep(max(0.0, (high - time.time() * 1000) / 1000) + 1.1)  # the new files land after the state's time
    store_kind.put(n, [f"new-{i:06d}.csv" for i in range(new)], body)

    def counted(action: Any) -> tuple[float, Counter[str]]:
        if endpoint is None:
            t = time.perf_counter()
            action()
            return time.perf_counter() - t, Counter()
        with recorded(endpoint) as rec:
            t = time.perf_counter()
            action()
            seconds = time.perf_counter() - t
        return seconds, rec.operations()

    listing: list[float] = []
    listing_ops: Counter[str] = Counter()
    listed: list[int] = []
    for i in range(runs + 1):
        seconds, ops = counted(lambda: listed.append(len(files.scan(spark, store_kind.prefix(n))[0])))
        if i:
            listing.append(round(seconds, 3))
            listing_ops = ops
    if listed[-1] != n + new:
        raise SystemExit(f"listing found {listed[-1]} files, not {n + new}")
    quiet = Console(file=io.StringIO())
    job_runs: list[float] = []
    job_ops: Counter[str] = Counter()
    for i in range(runs + 1):
        out = store_kind.output(n, i)
        args = ["--table", "orders", "--input", store_kind.prefix(n), "--output", out, "--JOB_NAME", job,
                "--bookmark-store", str(bookmarks), "--job-bookmark-option", "job-bookmark-enable"]
        seconds, ops = counted(lambda args=args: _run(JOBS["csv_to_parquet"], args, quiet))
        rows = spark.read.parquet(out).count()
        if rows != new * LINES_PER_FILE:
            raise SystemExit(f"{store_kind.name}, {n} old files: the run wrote {rows} rows, not {new * LINES_PER_FILE}")
        reset_bookmark(open_store(str(bookmarks)), job, "prepare")
        if i:
            job_runs.append(round(seconds, 3))
            job_ops = ops
    list_ms = store_kind.list_ms() if endpoint else 0.0
    store_kind.clear(n)
    shutil.rmtree(bookmarks, ignore_errors=True)
    return {"store": store_kind.name, "old": n, "new": new, "populate_s": round(populate, 1), "list_ms": list_ms,
            "listing_s": listing, "listing_ops": dict(listing_ops), "run_s": job_runs, "run_ops": dict(job_ops)}


def main(argv: list[str]) -> None:
    work, runs, counts, new = Path(argv[0]), int(argv[1]), [int(c) for c in argv[2].split(",")], int(argv[3])
    sample = Path(argv[4])
    from dea_etl.testing import moto_environment, start_moto_server

    server, endpoint = start_moto_server()
    os.environ.update(moto_environment(endpoint))
    try:
        from dea_etl.runtime import get_spark

        spark, _ = get_spark("bench-listing")
        spark.sparkContext.setLogLevel("ERROR")
        results = []
        for kind, ep in ((Local(work), None), (S3(endpoint), endpoint)):
            for n in counts:
                results.append(measure(spark, kind, n, new, runs, sample, work, ep))
                print(json.dumps(results[-1]), file=sys.stderr, flush=True)
        print("BENCH_JSON " + json.dumps(results))
    finally:
        server.terminate()


if __name__ == "__main__":
    main(sys.argv[1:])
