"""Publishing cost against table size, on a local moto S3 lake: the same append at 1x and 10x the rows.

Publishing writes one manifest object, whatever the size of the data: its time and its S3 requests (counted
by moto's request recorder) must not grow with the rows. The staged write itself (Spark's Parquet writer and
its output committer) is shown apart, for contrast: it is the part that grows with the data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from dea_etl.bench import BenchContext, Ratio, Section, Timing, submit_env

BASE_ROWS = 200_000
MONTHS = 24

DRIVER = '''\
import json, re, statistics, sys, time, urllib.request
from collections import Counter
import boto3
from pyspark.sql import functions as F
from dea_etl.io import stage_parquet, write_parquet
from dea_etl.runtime import get_spark

SPACE = re.compile(r"\\s*")
endpoint, base, months, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
spark, _ = get_spark("bench-publish")
spark.sparkContext.setLogLevel("ERROR")
boto3.client("s3").create_bucket(Bucket="bench")

def recorder(action):
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/recorder/{action}", method="POST")).close()

def requests():
    raw = urllib.request.urlopen(f"{endpoint}/moto-api/recorder/download-recording").read().decode()
    ops, at, decoder = Counter(), 0, json.JSONDecoder()
    while (at := SPACE.match(raw, at).end()) < len(raw):  # concurrent requests may share a line
        e, at = decoder.raw_decode(raw, at)
        copy = any(k.lower() == "x-amz-copy-source" for k in e["headers"])
        ops["CopyObject" if copy else e["method"]] += 1
    return ops

def orders(rows):
    return spark.range(rows).select(
        F.col("id").alias("salesorderid"), (F.col("id") % 997 * 1.5).alias("amount"),
        F.concat(F.lit("customer-"), (F.col("id") % 5000).cast("string")).alias("customer"),
        (2013 + F.col("id") % months / 12).cast("int").alias("year"), (1 + F.col("id") % 12).cast("int").alias("month"))

out = {}
for scale in (1, 10):
    rows = base * scale
    publish_s, write_s, reqs, write_reqs = [], [], [], []
    for i in range(runs + 1):
        table = f"s3://bench/processedData/orders_{scale}x_{i}"
        write_parquet(orders(rows), table, run_id="first", partition_by=("year", "month"))
        recorder("reset-recording"); recorder("start-recording")
        t0 = time.perf_counter()
        staged = stage_parquet(orders(rows), table, run_id="append", mode="append", partition_by=("year", "month"))
        t1 = time.perf_counter()
        recorder("stop-recording"); w = requests(); recorder("reset-recording"); recorder("start-recording")
        t2 = time.perf_counter()
        staged.publish()
        t3 = time.perf_counter()
        recorder("stop-recording")
        if i:  # the first round warms up
            write_s.append(t1 - t0); publish_s.append(t3 - t2); reqs.append(requests()); write_reqs.append(w)
    out[scale] = {"rows": rows, "write": write_s, "publish": publish_s,
                  "requests": [sum(r.values()) for r in reqs], "copies": [r["CopyObject"] for r in reqs],
                  "write_requests": [sum(r.values()) for r in write_reqs],
                  "write_copies": [r["CopyObject"] for r in write_reqs]}
print(json.dumps(out))
'''


def _moto(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    import socket
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = {**os.environ, "MOTO_RECORDER_FILEPATH": str(workdir / "moto-recording.jsonl")}
    exe = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen([str(exe), "-H", "127.0.0.1", "-p", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()
            return proc, url
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"moto_server did not start on {url}")


def _median(values: list[float]) -> float:
    import statistics

    return float(statistics.median(values))


def run(ctx: BenchContext) -> Section:
    work = ctx.workdir / "publish"
    work.mkdir(parents=True, exist_ok=True)
    driver = work / "bench_publish_driver.py"
    driver.write_text(DRIVER)
    moto, endpoint = _moto(work)
    try:
        env = {**submit_env(), "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "bench",
               "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1"}
        cmd = ctx.submit_cmd(driver, endpoint, str(BASE_ROWS), str(MONTHS), str(ctx.runs))
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace", check=False, env=env)
    finally:
        moto.terminate()
        moto.wait(timeout=10)
    if proc.returncode != 0:
        said = "\n".join(line for line in (proc.stdout + proc.stderr).splitlines() if " INFO " not in line)
        raise RuntimeError(f"publish bench failed ({proc.returncode}):\n{said[-3000:]}")
    m = {int(k): v for k, v in json.loads(proc.stdout.strip().splitlines()[-1]).items()}
    command = " ".join(cmd)
    section = Section("Publishing on S3 (moto): cost against table size")
    for scale in (1, 10):
        rows = m[scale]["rows"]
        section.timings.append(Timing(f"{scale}x: publish an append of {rows:,} rows (manifest switch)", command,
                                      m[scale]["publish"]))
        section.timings.append(Timing(f"{scale}x: stage the same append (Spark write, for contrast)", command,
                                      m[scale]["write"]))
    section.ratios = [
        Ratio("publish time 10x / 1x", _median(m[10]["publish"]) / _median(m[1]["publish"]), 1.2),
        Ratio("publish S3 requests 10x / 1x", _median(m[10]["requests"]) / _median(m[1]["requests"]), 1.2),
    ]
    section.notes.append(
        f"An append onto a table of the same size, {MONTHS} monthly partitions, on a moto_server on 127.0.0.1 "
        f"(S3 over real HTTP through S3A and boto3); requests counted with moto's recorder. Publishing: "
        f"{_median(m[1]['requests']):.0f} requests at 1x, {_median(m[10]['requests']):.0f} at 10x, CopyObject "
        f"{max(m[1]['copies'] + m[10]['copies'])}. The staged write (not publishing) sent "
        f"{_median(m[1]['write_requests']):.0f} / {_median(m[10]['write_requests']):.0f} requests, of which "
        f"CopyObject {_median(m[1]['write_copies']):.0f} / {_median(m[10]['write_copies']):.0f} (S3A's magic "
        "committer: multipart uploads completed at job commit)."
    )
    return section
