"""Pipeline profile driver, run by ``benchmarks/pipeline.py`` with the venv's python (not spark-submit).

``pipeline_profile_job.py LAKE DATA [JOB ARGS...]`` runs ``dea-etl pipeline --lake LAKE --data DATA`` in this
process as the CLI runs it (``run_job``), in a session built first (so that it survives the job), and prints
``PROFILE {...}``: per step (and the session start, the lake's layout and what runs outside the steps) its
seconds, the Spark jobs, stages and tasks it ran, the seconds its jobs ran and the executors' CPU seconds,
read from Spark's status store after the run (jobs are given to the step whose time window holds their
submission; jobs run from a thread pool count too).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

WINDOWS: list[tuple[str, float, float, float]] = []
#: The CPU seconds of the JVM and of this process so far (set once the JVM runs).
CPU: Any = time.process_time


def patch_steps() -> None:
    """Record each step's window (epoch seconds) as the pipeline's progress display shows it."""
    from dea_etl.runtime import context, progress

    class Recording(progress.Display):
        @contextmanager
        def step(self, name: str, index: int, total: int) -> Iterator[None]:
            started, cpu = time.time(), CPU()
            try:
                with super().step(name, index, total):
                    yield
            finally:
                WINDOWS.append((name, started, time.time(), CPU() - cpu))

    context.Display = Recording  # type: ignore[attr-defined]


def jobs(spark: Any) -> list[dict[str, Any]]:
    """Every job Spark's status store holds: submission time, seconds, stages and tasks that ran."""
    store = spark.sparkContext._jsc.sc().statusStore()
    tracker = spark.sparkContext.statusTracker()
    found = []
    listed = store.jobsList(None)  # a Scala Seq
    for j in (listed.apply(k) for k in range(listed.size())):
        submitted, completed = j.submissionTime(), j.completionTime()
        if submitted.isEmpty():
            continue
        ids = [int(i) for i in str(j.stageIds().mkString(",")).split(",") if i]  # a Scala Seq[Int]
        infos = [tracker.getStageInfo(i) for i in ids]
        ran = [i for i in infos if i is not None and i.numCompletedTasks > 0]  # skipped stages ran nothing
        end = completed.get().getTime() if not completed.isEmpty() else submitted.get().getTime()
        found.append({
            "id": j.jobId(), "name": str(j.name()), "submitted": submitted.get().getTime() / 1000,
            "seconds": (end - submitted.get().getTime()) / 1000,
            "stages": len(ran), "tasks": sum(i.numTasks for i in ran),
        })
    return found


def cpu_seconds(pid: int) -> float:
    """The CPU seconds (user + system) the process ``pid`` (the JVM) used so far, and this process's."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks + time.process_time()


def main(argv: list[str]) -> int:
    global CPU
    from dea_etl.pipelines.specs import PIPELINE
    from dea_etl.runtime import session
    from dea_etl.runtime.context import run_job
    from dea_etl.runtime.session import get_spark

    extra = json.loads(os.environ.get("PROFILE_CONF", "{}"))  # settings to try, e.g. JVM options
    for key, value in extra.items():
        old = session.LOCAL_BUILD_CONF.get(key)
        session.LOCAL_BUILD_CONF[key] = f"{old} {value}" if key.endswith("JavaOptions") and old else value
    patch_steps()
    t0, cpu0 = time.time(), time.process_time()
    # The session `dea-etl pipeline` would build for these arguments (a short run's JVM for small data).
    short = PIPELINE.short_run is not None and PIPELINE.short_run({"data": argv[1]})
    spark, _ = get_spark("pipeline", short_run=short)
    spark.range(1).count()  # the session's own first job (counted as its start)
    pid = spark.sparkContext._gateway.proc.pid  # type: ignore[union-attr]
    CPU = lambda: cpu_seconds(pid)  # noqa: E731
    started, cpu_started = time.time(), CPU()
    profiler = None
    if os.environ.get("PROFILE_CPROFILE"):  # where the driver's Python time goes (py4j calls included)
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    rc = run_job(PIPELINE, ["--lake", argv[0], "--data", argv[1], *argv[2:]])
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(os.environ["PROFILE_CPROFILE"])
    ended, cpu_ended = time.time(), CPU()
    first = min((w[1] for w in WINDOWS), default=ended)
    in_steps = sum(w[3] for w in WINDOWS)
    windows = [("session start (+ one trivial job)", t0, started, cpu_started - cpu0),
               ("lay out the lake, checks, summary", started, first, cpu_ended - cpu_started - in_steps), *WINDOWS]
    found = jobs(spark)
    profile: dict[str, Any] = {"rc": rc, "seconds": round(ended - started, 3), "steps": []}
    for name, start, end, cpu in windows:
        mine = [j for j in found if start <= j["submitted"] < end]
        profile["steps"].append({
            "step": name, "seconds": round(end - start, 3), "cpu": round(cpu, 2), "jobs": len(mine),
            "stages": sum(j["stages"] for j in mine), "tasks": sum(j["tasks"] for j in mine),
            "job_seconds": round(sum(j["seconds"] for j in mine), 3),
            "names": [j["name"] for j in mine] if os.environ.get("PROFILE_NAMES") else [],
        })
    profile["outside_steps_jobs"] = len([j for j in found if not any(w[1] <= j["submitted"] < w[2] for w in windows)])
    print("PROFILE " + json.dumps(profile), flush=True)
    spark.stop()
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
