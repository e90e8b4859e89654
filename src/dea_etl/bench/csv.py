"""CSV -> Parquet: our csv_to_parquet job vs the course's script (schema inferred) vs DuckDB's COPY."""

from __future__ import annotations

import json
import resource
from collections.abc import Callable
from pathlib import Path

from dea_etl.bench import REPO, BenchContext, Ratio, Section, Timing, capture

#: The course's approach (schema inference, count, write), kept outside the library as a baseline.
COURSE_SCRIPT = REPO / "benchmarks" / "course_csv_to_parquet.py"

DUCKDB_SCRIPT = '''\
import sys, duckdb
con = duckdb.connect()
con.execute(f"COPY (SELECT * FROM read_csv('{sys.argv[1]}', header=false)) TO '{sys.argv[2]}' (FORMAT parquet)")
'''


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _with_cpu(ctx: BenchContext, timed: Callable[[], Timing]) -> tuple[Timing, float]:
    """``timed()`` and the CPU seconds its processes used per run (warm-up included, all processes:
    spark-submit's JVM and its Python driver). CPU seconds hold on a busy machine, where wall time does not."""
    before = _children_cpu()
    timing = timed()
    return timing, (_children_cpu() - before) / (ctx.runs + 1)


def run(ctx: BenchContext) -> Section:
    src = ctx.orders_csv()
    out = ctx.workdir / "out"
    course = COURSE_SCRIPT
    duck = ctx.workdir / "duckdb_copy.py"
    duck.write_text(DUCKDB_SCRIPT)
    ours, ours_cpu = _with_cpu(ctx, lambda: ctx.time(
        "a: dea-etl csv_to_parquet (spark-submit)",
        ctx.submit_cmd(REPO / "jobs" / "csv_to_parquet.py", "--table", "orders", "--input", str(src),
                       "--output", str(out / "ours")),
    ))
    baseline, baseline_cpu = _with_cpu(ctx, lambda: ctx.time(
        "b: course script: schema inference + count + write (spark-submit)",
        ctx.submit_cmd(course, str(src), str(out / "course")),
    ))
    duckdb, duckdb_cpu = _with_cpu(ctx, lambda: ctx.time(
        "c: DuckDB COPY csv -> parquet", [ctx.python, str(duck), str(src), str(out / "duck.parquet")]
    ))
    section = Section("CSV -> Parquet (orders)", [ours, baseline, duckdb])
    section.ratios = [
        Ratio("a / b (ours vs the course script)", ours.median / baseline.median, 0.5),
        Ratio("a / c (ours vs DuckDB)", ours.median / duckdb.median, 4.0),
    ]
    size_mb = Path(src).stat().st_size / 1e6
    section.notes.append(f"Input: {size_mb:.0f} MB of headerless orders CSV.")
    section.notes.append(
        f"CPU seconds per run (every process of the command, mean of all runs): a {ours_cpu:.1f}, "
        f"b {baseline_cpu:.1f}, c {duckdb_cpu:.1f}; a / b in CPU = {ours_cpu / baseline_cpu:.3f}."
    )
    return section


def profile(ctx: BenchContext) -> Section:
    """Where the time goes: process start, then each stage of the job in one warm Spark process."""
    empty = ctx.workdir / "empty_job.py"
    empty.write_text("from pyspark.sql import SparkSession\nSparkSession.builder.getOrCreate().stop()\n")
    start = ctx.time("spark-submit of an empty PySpark script (JVM + Python start, session, stop)",
                     ctx.submit_cmd(empty))
    cmd = ctx.submit_cmd(Path(__file__).with_name("csv_profile_job.py"), str(ctx.orders_csv()),
                         str(ctx.workdir / "profile"), str(ctx.runs))
    stages = json.loads(capture(cmd).split("PROFILE ", 1)[1].splitlines()[0])
    section = Section("Where csv_to_parquet's time goes (orders)", [start])
    section.timings += [Timing(name, "(inside csv_profile_job.py)", times) for name, times in stages.items()]
    section.notes.append(
        "Stages 1-5 write to Spark's `noop` sink, so they measure reading, the record checks, splitting, "
        "casting and date parsing without output; 6-8 write Snappy Parquet; 9 is the course script's work "
        "in the same warm process. Each stage's time includes the stages above it. Every stage has a "
        "second row, its CPU seconds (the JVM's and the Python driver's): on a busy shared machine wall "
        "seconds grow with the load, CPU seconds much less."
    )
    return section
