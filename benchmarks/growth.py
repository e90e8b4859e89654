"""Growth: csv_to_parquet, the sales marts and data quality at 1x, 3x and 10x the bench's orders.

For each scale (``--scales``, multiples of ``--rows``) the orders CSV of that many rows is generated
(seed 42), converted by ``jobs/csv_to_parquet.py`` into a lake beside the sample customers and employees
(the warm-up run, which also warms the page cache), and then each job is timed as a whole spark-submit
process: csv_to_parquet again, ``jobs/sales_mart.py`` and ``jobs/data_quality.py --tables orders``
(``rules/orders.dqdl``: 17 rules, two referential-integrity joins). About :data:`FAILING_FRACTION` of the
generated lines fail its ``orderqty > 0`` on purpose, so the DQ gate takes its quarantine path (the failing
rows are moved out of the table, which is then rewritten); the lake as the marts left it is put back before
each data_quality run, untimed, so that every run has the same rows to check. While a job runs, every
process of it is sampled every 0.1 s for its peak resident set (``VmHWM``): the JVM (in local mode the
driver and its executors in one process) and the Python driver.

Per row, a job's fixed cost (JVM and Python start, session, listing) would flatter the larger sizes, so
the ratios use the time above an empty PySpark script's, measured in the same run: (seconds - empty) per
million rows at the largest scale over the same at 1x. Target <= 1.15 (linear), and the JVM's peak RSS at
the largest scale within 1.15x of 1x's (flat: memory bounded by configuration, not by the data).

With the bench's 4 GiB driver the JVM's heap grows towards its limit whatever the data, so memory is also
measured where it is bounded: each job runs once more at the smallest and the largest scale with
``--driver-memory 1g`` (:data:`BOUNDED_HEAP`); it must finish at both, with the peak RSS at the largest
within 1.15x of the smallest's. A job that fails there (an OutOfMemoryError is Spark's exit 52) gets an
infinite ratio and its exit status in the table.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import median

from benchmarks import DRIVERS, REPO, BenchContext, Ratio, Section, Timing
from benchmarks import run as run_command
from dea_etl.io.lake import Lake
from dea_etl.pipelines.data_quality import dq_path
from dea_etl.runtime.submit import submit_env

TARGET = 1.15
#: The driver memory of the bounded-heap runs.
BOUNDED_HEAP = "1g"
JOBS = ("csv_to_parquet", "sales_mart", "data_quality")
#: About this fraction of the orders fail a row-level rule of rules/orders.dqdl (quarantined by data_quality).
FAILING_FRACTION = 0.15


@dataclass
class Sampled:
    seconds: float
    #: Peak resident set of the JVM and of the Python driver, in MiB.
    jvm_mib: float
    python_mib: float
    #: The command's exit status (only a run with ``check=False`` can have another than 0).
    returncode: int = 0


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text()
            found += [int(c) for c in text.split()]
    except OSError:
        pass
    return found


def _peak_kib(pid: int) -> tuple[str, int]:
    """(the process's command name, its peak resident set in KiB so far)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return "", 0
    name, peak = "", 0
    for line in status.splitlines():
        if line.startswith("Name:"):
            name = line.split()[1]
        elif line.startswith("VmHWM:"):
            peak = int(line.split()[1])
    return name, peak


def sampled(cmd: list[str], *, check: bool = True) -> Sampled:
    """Run ``cmd``; its wall seconds and the peak resident sets of its JVM and Python processes (a failure
    raises unless ``check`` is False)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=submit_env())
    peaks: dict[int, tuple[str, int]] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            todo = [proc.pid]
            while todo:
                pid = todo.pop()
                name, peak = _peak_kib(pid)
                if peak:
                    peaks[pid] = (name, max(peak, peaks.get(pid, ("", 0))[1]))
                todo += _children(pid)
            done.wait(0.1)

    t0 = time.perf_counter()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    seconds = time.perf_counter() - t0
    done.set()
    sampler.join()
    if check and proc.returncode != 0:
        raise RuntimeError(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{out[-3000:].decode(errors='replace')}")
    jvm = max((p for n, p in peaks.values() if n == "java"), default=0)
    python = max((p for n, p in peaks.values() if n.startswith("python")), default=0)
    return Sampled(round(seconds, 3), round(jvm / 1024, 1), round(python / 1024, 1), proc.returncode)


def with_driver_memory(cmd: list[str], memory: str) -> list[str]:
    """``cmd`` (a spark-submit command) with its driver memory set to ``memory``."""
    out = list(cmd)
    if "--driver-memory" in out:
        out[out.index("--driver-memory") + 1] = memory
    else:
        out[1:1] = ["--driver-memory", memory]
    return out


def sampled_on(lake: Path, kept: Path | None, cmd: list[str], *, check: bool = True) -> Sampled:
    """:func:`sampled` of ``cmd``, after putting ``lake`` back as ``kept`` holds it (untimed) when given."""
    if kept is not None:
        shutil.rmtree(lake)
        shutil.copytree(kept, lake)
    return sampled(cmd, check=check)


def _lake(ctx: BenchContext, rows: int, csv: Path) -> tuple[Path, list[str]]:
    """A lake with the sample customers and employees processed; the orders command (run by the caller)."""
    lake = ctx.workdir / "growth" / f"lake-{rows}"
    shutil.rmtree(lake, ignore_errors=True)
    convert = REPO / "jobs" / "csv_to_parquet.py"
    for table in ("customers", "employees"):
        run_command(ctx.submit_cmd(convert, "--table", table, "--input", str(REPO / "data" / f"{table}.csv"),
                                   "--output", str(lake / "processedData" / table)))
    orders = ctx.submit_cmd(convert, "--table", "orders", "--input", str(csv), "--output",
                            str(lake / "processedData" / "orders"))
    return lake, orders


def run(ctx: BenchContext) -> Section:
    empty_cmd = ctx.submit_cmd(DRIVERS / "empty_job.py")
    empty = [sampled(empty_cmd) for _ in range(ctx.runs + 1)][1:]
    empty_s = median([e.seconds for e in empty])
    timings = [Timing("spark-submit of an empty PySpark script", " ".join(empty_cmd), [e.seconds for e in empty])]
    per_row: dict[tuple[str, int], float] = {}
    rss: dict[tuple[str, int], tuple[float, float]] = {}
    rows_at: dict[int, int] = {}
    bounded: dict[tuple[str, int], Sampled] = {}
    small, large = min(ctx.scales), max(ctx.scales)
    for scale in ctx.scales:
        rows = ctx.rows * scale
        rows_at[scale] = rows
        csv = ctx.orders_csv(rows, FAILING_FRACTION)
        lake, orders_cmd = _lake(ctx, rows, csv)
        sampled(orders_cmd)  # the warm-up: fills the lake and the page cache
        commands = {
            "csv_to_parquet": orders_cmd,
            "sales_mart": ctx.submit_cmd(REPO / "jobs" / "sales_mart.py", "--lake", str(lake)),
            "data_quality": ctx.submit_cmd(REPO / "jobs" / "data_quality.py", "--lake", str(lake), "--tables",
                                           "orders"),
        }
        before_dq = lake.with_name(lake.name + "-before-dq")
        for job, cmd in commands.items():
            kept = None
            if job == "data_quality":  # it quarantines rows out of the table: the same table for every run
                shutil.rmtree(before_dq, ignore_errors=True)
                kept = Path(shutil.copytree(lake, before_dq))
            runs = [sampled_on(lake, kept, cmd) for _ in range(ctx.runs)]
            if kept is not None and not any(Path(dq_path(Lake(str(lake)), "orders", "quarantine")).rglob("*.parquet")):
                raise RuntimeError(f"data_quality quarantined no orders in {lake}: the bench measures the gate's "
                                   "quarantine path")
            seconds = [r.seconds for r in runs]
            timings.append(Timing(f"{job}, {rows:,} rows ({scale}x)", " ".join(cmd), seconds))
            per_row[(job, scale)] = (median(seconds) - empty_s) / (rows / 1e6)
            rss[(job, scale)] = (max(r.jvm_mib for r in runs), max(r.python_mib for r in runs))
            if scale in (small, large):
                bounded[(job, scale)] = sampled_on(lake, kept, with_driver_memory(cmd, BOUNDED_HEAP), check=False)
        shutil.rmtree(lake, ignore_errors=True)
        shutil.rmtree(before_dq, ignore_errors=True)
    section = Section(f"Growth: seconds per million rows at {', '.join(f'{s}x' for s in ctx.scales)}", timings)
    for job in JOBS:
        section.ratios.append(Ratio(f"{job}: s per M rows (above the empty script) at {large}x / at {small}x",
                                    per_row[(job, large)] / per_row[(job, small)], TARGET))
        section.ratios.append(Ratio(f"{job}: JVM peak RSS at {large}x / at {small}x",
                                    rss[(job, large)][0] / rss[(job, small)][0], TARGET))
        at_small, at_large = bounded[(job, small)], bounded[(job, large)]
        finished = at_small.returncode == 0 and at_large.returncode == 0
        section.ratios.append(Ratio(f"{job}: JVM peak RSS with --driver-memory {BOUNDED_HEAP} at {large}x / at {small}x",
                                    at_large.jvm_mib / at_small.jvm_mib if finished else float("inf"), TARGET))
    lines = ["| job | rows | s per M rows (above the empty script) | JVM peak RSS MiB | Python driver peak RSS MiB |",
             "|---|---:|---:|---:|---:|"]
    for job in JOBS:
        for scale in ctx.scales:
            lines.append(f"| {job} | {rows_at[scale]:,} | {per_row[(job, scale)]:.2f} | {rss[(job, scale)][0]:,.0f} | "
                         f"{rss[(job, scale)][1]:,.0f} |")
    section.notes.append("\n".join(lines))
    lines = [f"| job | rows | with --driver-memory {BOUNDED_HEAP}: exit | s | JVM peak RSS MiB |", "|---|---:|---:|---:|---:|"]
    for (job, scale), b in sorted(bounded.items(), key=lambda kv: (JOBS.index(kv[0][0]), kv[0][1])):
        lines.append(f"| {job} | {rows_at[scale]:,} | {b.returncode} | {b.seconds:.1f} | {b.jvm_mib:,.0f} |")
    section.notes.append("\n".join(lines))
    section.notes.append(
        f"The empty script's median ({empty_s:.2f} s) is taken off each job's median before dividing by its rows. "
        "Peak RSS is the largest of the job's runs (VmHWM of each process, sampled every 0.1 s). The JVM runs "
        f"with the bench's spark-submit flags (`{ctx.spark_submit_flags.split(' --jars')[0]}`): its heap may grow "
        "to the driver memory whatever the data, so a flat RSS there says the jobs hold no per-row state in "
        f"memory, not that the heap is small. The bounded-heap runs (one each, `--driver-memory {BOUNDED_HEAP}`, "
        "same command otherwise) show whether the job needs more memory as the data grows: a failure (exit 52 "
        "is Spark's OutOfMemoryError) or a peak RSS that grows says it does."
    )
    return section

