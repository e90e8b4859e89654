"""An append's publishing cost against table size, on a local moto S3 lake, in both table formats: the same
append onto a table of 1x and 10x the rows.

Plain Parquet: the append's files are written straight into the table (S3A's magic committer), and
publishing an append deletes nothing. Iceberg: the rows are written to a branch, and publishing moves
``main`` to it in one metadata commit (the Glue catalog on moto, S3FileIO, Iceberg's DynamoDB lock). Neither
may grow with the rows already in the table: the time and the S3/Glue requests (counted by moto's request
recorder) of writing and publishing the append are compared at 10x and 1x.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from statistics import median

from benchmarks import DRIVERS, BenchContext, Ratio, Section, Timing
from dea_etl.runtime.submit import submit_env

BASE_ROWS = 200_000
APPEND_ROWS = 20_000
MONTHS = 24

DRIVER = DRIVERS / "publish_job.py"


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


def run(ctx: BenchContext) -> Section:
    work = ctx.workdir / "publish"
    work.mkdir(parents=True, exist_ok=True)
    moto, endpoint = _moto(work)
    try:
        env = {**submit_env(), "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "bench",
               "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1"}
        cmd = ctx.submit_cmd(DRIVER, endpoint, str(BASE_ROWS), str(APPEND_ROWS), str(MONTHS), str(ctx.runs))
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace", check=False, env=env)
    finally:
        moto.terminate()
        moto.wait(timeout=10)
    if proc.returncode != 0:
        said = "\n".join(line for line in (proc.stdout + proc.stderr).splitlines() if " INFO " not in line)
        raise RuntimeError(f"publish bench failed ({proc.returncode}):\n{said[-3000:]}")
    measured = json.loads(proc.stdout.strip().splitlines()[-1])
    command = " ".join(cmd)
    section = Section("Publishing an append on S3 (moto): cost against table size, both formats")
    for fmt, by_scale in measured.items():
        m = {int(k): v for k, v in by_scale.items()}
        for scale in (1, 10):
            rows = m[scale]["rows"]
            section.timings.append(Timing(f"{fmt} {scale}x ({rows:,} rows): publish an append of {APPEND_ROWS:,}",
                                          command, m[scale]["publish"]))
            section.timings.append(Timing(f"{fmt} {scale}x ({rows:,} rows): write the append (for contrast)",
                                          command, m[scale]["write"]))
        section.ratios += [
            Ratio(f"{fmt}: publish time 10x / 1x", median(m[10]["publish"]) / median(m[1]["publish"]), 1.2),
            Ratio(f"{fmt}: write + publish requests 10x / 1x",
                  (median(m[10]["requests"]) + median(m[10]["write_requests"]))
                  / (median(m[1]["requests"]) + median(m[1]["write_requests"])), 1.2),
        ]
        section.notes.append(
            f"{fmt}: requests to write / publish the append: {median(m[1]['write_requests']):.0f} / "
            f"{median(m[1]['requests']):.0f} at 1x, {median(m[10]['write_requests']):.0f} / "
            f"{median(m[10]['requests']):.0f} at 10x; CopyObject {max(m[1]['copies'] + m[10]['copies'])}."
        )
    section.notes.append(
        f"An append of {APPEND_ROWS:,} rows onto a table of {BASE_ROWS:,} and {10 * BASE_ROWS:,} rows, {MONTHS} "
        "monthly partitions, on a moto_server on 127.0.0.1 (S3 and Glue over real HTTP); requests counted with "
        "moto's recorder. A publish of an Iceberg append is a fast-forward of main (a few Glue and S3 metadata "
        "requests); a plain Parquet append has nothing left to publish once its files are written."
    )
    return section
