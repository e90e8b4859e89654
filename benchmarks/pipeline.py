"""The sample pipeline (what ``make run`` runs) on a fresh lake, step by step, against an empty Spark job.

Each run lays out a new lake from data/ and runs ``dea-etl pipeline`` in one process, as the CLI runs it
(:mod:`benchmarks.drivers.pipeline_profile_job`): the pipeline's own time (what its run summary reports),
each step's seconds and the Spark jobs it ran, in both table formats. In the same bench run an empty
PySpark script is timed through spark-submit (JVM and Python start, session, stop): the pipeline's time is
reported as a multiple of it. Target (issue 23): the pipeline in at most 20 s on this machine.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
from typing import Any

from benchmarks import DRIVERS, REPO, BenchContext, Ratio, Section, Timing
from dea_etl.runtime.submit import submit_env

TARGET_SECONDS = 20.0
FORMATS = ("parquet", "iceberg")
DRIVER = DRIVERS / "pipeline_profile_job.py"
EMPTY = DRIVERS / "empty_job.py"
#: Seconds and Spark jobs per step before issue 23's work (commit f8ba8e9, measured with this driver on a
#: quiet machine on 2026-12-07; another Parquet run took 34.6 s): the steps tables' "before" columns.
BEFORE: dict[str, dict[str, Any]] = {
    "parquet": {"pipeline seconds": 30.5, "raw_to_processed": (8.8, 5), "data_quality": (8.7, 44),
                "sales_mart": (4.4, 20), "mart_quality": (8.5, 82)},
    "iceberg": {"pipeline seconds": 35.2, "raw_to_processed": (11.0, 9), "data_quality": (9.0, 40),
                "sales_mart": (4.6, 24), "mart_quality": (10.5, 74)},
}


def _profile(ctx: BenchContext, fmt: str) -> dict[str, Any]:
    lake = ctx.workdir / "pipeline" / f"lake-{fmt}"
    shutil.rmtree(lake, ignore_errors=True)
    cmd = [sys.executable, str(DRIVER), str(lake), str(REPO / "data"), "--table-format", fmt]
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace", check=False, env=submit_env())
    found = [ln for ln in proc.stdout.splitlines() if ln.startswith("PROFILE ")]
    if proc.returncode != 0 or not found:
        raise RuntimeError(f"pipeline bench failed ({proc.returncode}):\n{(proc.stdout + proc.stderr)[-3000:]}")
    return json.loads(found[-1].removeprefix("PROFILE "))  # type: ignore[no-any-return]


def _steps_table(fmt: str, profiles: list[dict[str, Any]]) -> list[str]:
    """Each step's median seconds and its Spark jobs (the same in every run), beside the figures before."""
    names = [s["step"] for s in profiles[0]["steps"]]
    before_all = BEFORE[fmt]
    rows = [f"Steps, {fmt} lake (medians of {len(profiles)} runs; before: {before_all['pipeline seconds']} s "
            "for the whole pipeline):", "",
            "| step | seconds | Spark jobs | CPU s | before: seconds | before: Spark jobs |",
            "|---|---:|---:|---:|---:|---:|"]
    for i, name in enumerate(names):
        seconds = statistics.median(p["steps"][i]["seconds"] for p in profiles)
        cpu = statistics.median(p["steps"][i]["cpu"] for p in profiles)
        jobs = profiles[-1]["steps"][i]["jobs"]
        before = before_all.get(name)
        was = f"{before[0]:.1f} | {before[1]}" if isinstance(before, tuple) else "| "
        rows.append(f"| {name} | {seconds:.2f} | {jobs} | {cpu:.1f} | {was} |")
    return rows


def run(ctx: BenchContext) -> Section:
    timings: list[Timing] = []
    notes: list[str] = []
    medians: dict[str, float] = {}
    command = f"python {DRIVER} LAKE data --table-format FORMAT (the pipeline in-process, as `dea-etl pipeline`)"
    empty = ctx.time("e: spark-submit of an empty PySpark script (JVM + Python start, session, stop)",
                     ctx.submit_cmd(EMPTY))
    timings.append(empty)
    for label, fmt in zip("ab", FORMATS, strict=True):
        profiles = [_profile(ctx, fmt) for _ in range(ctx.runs + 1)][1:]  # the first warms the page cache
        seconds = [p["seconds"] for p in profiles]
        timing = Timing(f"{label}: the sample pipeline, {fmt} lake (pipeline time, as it reports it)",
                        command.replace("FORMAT", fmt), seconds)
        timings.append(timing)
        medians[fmt] = timing.median
        notes += [*_steps_table(fmt, profiles), ""]
    section = Section("The sample pipeline (make run's data: 25,652 rows in four CSV files)", timings)
    section.ratios = [
        *(Ratio(f"{label} / {TARGET_SECONDS:.0f} s (the pipeline, {fmt} lake, vs the target)",
                medians[fmt] / TARGET_SECONDS, 1.0) for label, fmt in zip("ab", FORMATS, strict=True)),
        *(Ratio(f"{label} / e (the pipeline, {fmt} lake, in empty Spark jobs)", medians[fmt] / empty.median,
                round(TARGET_SECONDS / empty.median, 2)) for label, fmt in zip("ab", FORMATS, strict=True)),
    ]
    section.notes = [
        *notes,
        "Pipeline time is the run summary's (from the job's start in a running session to its end: raw_to_processed, "
        "data_quality, sales_mart, mart_quality and the lake's layout); the session's start is not in it and is "
        "about e. Spark jobs are counted from Spark's status store and given to the step whose time window holds "
        "their submission; CPU seconds are the JVM's and the Python driver's. The ratio to e says how many empty "
        "Spark applications the pipeline costs on this machine (its target is 20 s / e)."
    ]
    return section
