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

from benchmarks import DRIVERS, BenchContext, Ratio, Section, Timing
from dea_etl.runtime.submit import submit_env

BASE_ROWS = 200_000
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


def _median(values: list[float]) -> float:
    import statistics

    return float(statistics.median(values))


def run(ctx: BenchContext) -> Section:
    work = ctx.workdir / "publish"
    work.mkdir(parents=True, exist_ok=True)
    moto, endpoint = _moto(work)
    try:
        env = {**submit_env(), "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "bench",
               "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1"}
        cmd = ctx.submit_cmd(DRIVER, endpoint, str(BASE_ROWS), str(MONTHS), str(ctx.runs))
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
