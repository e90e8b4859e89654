"""CSV -> Parquet: our csv_to_parquet job vs the course's script (schema inferred) vs DuckDB's COPY."""

from __future__ import annotations

import json
import resource
import statistics
from collections.abc import Callable
from pathlib import Path

from benchmarks import DRIVERS, REPO, BenchContext, Ratio, Section, Timing, capture

#: The course's approach (schema inference, count, write), kept outside the library as a baseline.
COURSE_SCRIPT = DRIVERS / "course_csv_to_parquet.py"
DUCKDB_SCRIPT = DRIVERS / "duckdb_copy.py"



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
    duck = DUCKDB_SCRIPT
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
        # Issue 23's target (issue 14 asked for 0.5, shown out of reach below).
        Ratio("a / b (ours vs the course script)", ours.median / baseline.median, 0.8),
        Ratio("a / c (ours vs DuckDB)", ours.median / duckdb.median, 4.0),
    ]
    size_mb = Path(src).stat().st_size / 1e6
    section.notes.append(f"Input: {size_mb:.0f} MB of headerless orders CSV.")
    section.notes.append(
        f"CPU seconds per run (every process of the command, mean of all runs): a {ours_cpu:.1f}, "
        f"b {baseline_cpu:.1f}, c {duckdb_cpu:.1f}; a / b in CPU = {ours_cpu / baseline_cpu:.3f}."
    )
    return section


#: What the profile has shown so far and what was tried (issue 14); the figures are in the tables above.
FINDINGS = (
    "Findings: the record checks added for RFC 4180 and encodings (a quote opening a record spanning "
    "lines: one `instr` per line without quotes; UTF-8 validity: a decode/encode round trip of the "
    "line's bytes) cost little next to the split; records spanning lines cost nothing unless a line "
    "opens one (then the input is read a second time with each file's lines sorted and joined). Step 5 "
    "(casts, the three dates, finite checks and the reject flag) was the largest cost, and not because of "
    "the dates: the stage's generated projection (`project_doConsume_0`, 8,754 bytes) is over HotSpot's "
    "8,000-byte limit, so the JVM never compiled it and every row ran in the bytecode interpreter (5b "
    "measures that). dea-etl's sessions now set `spark.sql.codegen.hugeMethodLimit=8000`, the value Spark's "
    "documentation recommends on HotSpot (a SQL setting the job applies itself, on Glue and EMR too): Spark "
    "then runs that stage with its per-operator generated code, split into small methods the JIT compiles. "
    "Measured apart (2026-11-30, one warm process, CPU seconds of steps 1-5 / of the whole conversion, means "
    "of two runs): "
    "34.8 / 45.1 before, 12.9 / 24.4 with the setting, 10.1 / 22.2 with the JVM told to compile huge "
    "methods (-XX:-DontCompileHugeMethods, a launch option a job cannot set). Not done: Spark's CSV reader "
    "for the main pass (stages 3a/3b; `multiLine=true` reads a file in one task), keeping the line reader "
    "for the quarantine pass, which needs line numbers and the bytes as read. "
    "Where (a)'s 22.3 s went on 2026-11-30: 3.7 s JVM, Python and session start (the empty script); 11.1 s "
    "the conversion in a warm JVM (stage 8: reading and splitting the lines 2.8, casts, dates and checks 3.5, "
    "the year/month Parquet write with its shuffle, counts and publishing 4.9); the remaining ~7 s are the "
    "cold JVM (class loading and JIT compilation compete with the two task threads for the two cores: the "
    "first conversion in a fresh process took 14.4 s where later ones take 11) and the job's own start "
    "(imports, listing, checks), not split further. The course script's work takes 7.2 s warm (stage 9): "
    "it never checks a value, keeps dates as text and writes unpartitioned. The floor for any Spark job "
    "here, before one cast, check or partition: Spark's CSV reader into text (3a) 2.5 s + an unpartitioned "
    "write ~2.3 s + start 3.7 s = ~8.5 s, about 0.49 x the course script's 17.5 s. So a / b <= 0.5 is out of "
    "reach with Spark on this 2-core machine while every row is typed, checked and accounted for; the "
    "setting above took a / b from about 1.7 (estimated from 5b) to 1.27. "
    "2026-12-08: two Java functions of dea-etl-spark.jar in the typed projection. Spark's `translate` (the "
    "test that a double is written as CSV writes numbers, not as Java parses them) makes a string and a map "
    "lookup per character; `NumberText` tests the characters in one pass. The double's cast moved to the "
    "front of its condition, where Spark computes it once per row (it was cast three times). Dates written "
    "exactly as a simple pattern shows them go through `DateText` (Spark's `to_date` for anything else, and "
    "the same day wherever both answer). Steps 1-5 in one warm process, same run, noop sink: 10.5 -> 7.1 s "
    "wall, 20.5 -> 13.8 CPU s (translate and the triple cast 3.2 s, the dates 1.7 -> 0.6 s). One job run "
    "(a, 28.0 s that day, Spark's event log and cProfile): 4.4 s the empty script's start; 5.5 s from the "
    "session's start to the write (imports 0.6, session 2.3, building the plan from Python 1.8: 1.1 s of it "
    "the typed projection's ~1,500 Py4J calls); planning 1.3; the scan, parse and shuffle write 11.5 (4 "
    "tasks, cold JIT); sort and year/month write 6.3. Measured and not done: Parquet's concurrent writers "
    "instead of the sort before the partitioned write (`spark.sql.maxConcurrentOutputFileWriters` with "
    "planned writes off) took about 1 s off in two pairs of runs, but each task then keeps one Parquet "
    "writer per partition open, each buffering up to a row group: a memory risk at 30 M rows in a 1 GiB heap."
)


def cpu_split(stages: dict[str, list[float]]) -> str:
    """One line: the CPU seconds each step adds to the one before it, and the job's against the course's."""
    cpu = {name.split(" ", 1)[0]: statistics.median(v) for name, v in stages.items() if name.endswith("(CPU s)")}
    steps = [("1", "text scan"), ("2", "record checks"), ("3", "split"), ("5", "casts, dates, checks, flag"),
             ("6", "Parquet write")]
    if not all(k in cpu for k, _ in steps) or "8" not in cpu or "9" not in cpu:
        return ""
    parts, before = [], 0.0
    for key, label in steps:
        parts.append(f"{label} {cpu[key] - before:+.1f}")
        before = cpu[key]
    return (
        f"CPU seconds, step by step: {', '.join(parts)}; the job's whole conversion {cpu['8']:.1f} against the "
        f"course script's work {cpu['9']:.1f} (ratio {cpu['8'] / cpu['9']:.2f})."
    )


def profile(ctx: BenchContext) -> Section:
    """Where the time goes: process start, then each stage of the job in one warm Spark process."""
    empty = DRIVERS / "empty_job.py"
    start = ctx.time("spark-submit of an empty PySpark script (JVM + Python start, session, stop)",
                     ctx.submit_cmd(empty))
    cmd = ctx.submit_cmd(DRIVERS / "csv_profile_job.py", str(ctx.orders_csv()),
                         str(ctx.workdir / "profile"), str(ctx.runs))
    stages = json.loads(capture(cmd).split("PROFILE ", 1)[1].splitlines()[0])
    section = Section("Where csv_to_parquet's time goes (orders)", [start])
    section.timings += [
        Timing(name, "(inside benchmarks/drivers/csv_profile_job.py)", times) for name, times in stages.items()
    ]
    if cpu_split(stages):
        section.notes.append(cpu_split(stages))
    section.notes.append(FINDINGS)
    section.notes.append(
        "Stages 1-5 write to Spark's `noop` sink, so they measure reading, the record checks, splitting, "
        "casting and date parsing without output; 6-8 write Snappy Parquet; 9 is the course script's work "
        "in the same warm process. Each stage's time includes the stages above it. Every stage has a "
        "second row, its CPU seconds (the JVM's and the Python driver's): on a busy shared machine wall "
        "seconds grow with the load, CPU seconds much less."
    )
    return section
