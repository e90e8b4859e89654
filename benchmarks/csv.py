"""CSV -> Parquet: our csv_to_parquet job vs the course's script (schema inferred) vs DuckDB's COPY."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import DRIVERS, REPO, BenchContext, Ratio, Section, Timing, capture

#: The course's approach (schema inference, count, write), kept outside the library as a baseline.
COURSE_SCRIPT = DRIVERS / "course_csv_to_parquet.py"
DUCKDB_SCRIPT = DRIVERS / "duckdb_copy.py"



def run(ctx: BenchContext) -> Section:
    src = ctx.orders_csv()
    out = ctx.workdir / "out"
    course = COURSE_SCRIPT
    duck = DUCKDB_SCRIPT
    ours = ctx.time(
        "a: dea-etl csv_to_parquet (spark-submit)",
        ctx.submit_cmd(REPO / "jobs" / "csv_to_parquet.py", "--table", "orders", "--input", str(src),
                       "--output", str(out / "ours")),
    )
    baseline = ctx.time(
        "b: course script: schema inference + count + write (spark-submit)",
        ctx.submit_cmd(course, str(src), str(out / "course")),
    )
    duckdb = ctx.time("c: DuckDB COPY csv -> parquet", [ctx.python, str(duck), str(src), str(out / "duck.parquet")])
    section = Section("CSV -> Parquet (orders)", [ours, baseline, duckdb])
    section.ratios = [
        Ratio("a / b (ours vs the course script)", ours.median / baseline.median, 0.5),
        Ratio("a / c (ours vs DuckDB)", ours.median / duckdb.median, 4.0),
    ]
    size_mb = Path(src).stat().st_size / 1e6
    section.notes.append(f"Input: {size_mb:.0f} MB of headerless orders CSV.")
    return section


def profile(ctx: BenchContext) -> Section:
    """Where the time goes: process start, then each stage of the job in one warm Spark process."""
    empty = DRIVERS / "empty_job.py"
    start = ctx.time("spark-submit of an empty PySpark script (JVM + Python start, session, stop)",
                     ctx.submit_cmd(empty))
    cmd = ctx.submit_cmd(DRIVERS / "csv_profile_job.py", str(ctx.orders_csv()),
                         str(ctx.workdir / "profile"), str(ctx.runs))
    stages = json.loads(capture(cmd).split("PROFILE ", 1)[1].splitlines()[0])
    section = Section("Where csv_to_parquet's time goes (orders)", [start])
    section.timings += [Timing(name, "(inside benchmarks/drivers/csv_profile_job.py)", times) for name, times in stages.items()]
    section.notes.append(
        "Stages 1-4 write to Spark's `noop` sink, so they measure reading, splitting, casting and date "
        "parsing without output; 5-7 write Snappy Parquet. Each stage's time includes the stages above it."
    )
    return section
