"""``make bench`` (``python -m benchmarks``): measure our jobs and their baselines; write BENCHMARKS.md.

Not part of the shipped ``dea_etl`` package. Each section is a module in this package with
``run(ctx: BenchContext) -> Section``; add it to :data:`SECTIONS`. The programs the sections run are files
in ``drivers/``. Commands are timed as whole processes (JVM start included), several runs each, and the
median is reported. Nothing here is asserted in tests: targets are reported as met or not.
BENCHMARKS.md shows paths relative to the repository.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dea_etl.runtime.submit import submit_env

SECTIONS = (
    "benchmarks.pipeline",
    "benchmarks.startup",
    "benchmarks.csv",
    "benchmarks.csv_profile",
    "benchmarks.marts",
    "benchmarks.dq",
    "benchmarks.dq_rules",
    "benchmarks.bookmarks",
    "benchmarks.growth",
    "benchmarks.listing",
    "benchmarks.publish",
    "benchmarks.iceberg",
    "benchmarks.mistakes",
)
REPO = Path(__file__).resolve().parents[1]
#: The programs the sections run (through spark-submit or python), committed as files.
DRIVERS = Path(__file__).resolve().parent / "drivers"


@dataclass
class Timing:
    name: str
    command: str
    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


@dataclass
class Ratio:
    name: str
    value: float
    target: float
    #: "<=": the ratio must be at most the target.
    op: str = "<="

    @property
    def met(self) -> bool:
        return self.value <= self.target if self.op == "<=" else self.value >= self.target


@dataclass
class Section:
    title: str
    timings: list[Timing] = field(default_factory=list)
    ratios: list[Ratio] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _results_dir(ctx: BenchContext) -> Path:
    return ctx.workdir / "results" / f"rows-{ctx.rows}"


def save_section(ctx: BenchContext, module: str, section: Section) -> None:
    """Keep a section's measurements (with when they were taken) for BENCHMARKS.md."""
    out = _results_dir(ctx)
    out.mkdir(parents=True, exist_ok=True)
    data = asdict(section)
    data["measured_at"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    data["runs"] = ctx.runs
    (out / f"{module}.json").write_text(json.dumps(data, indent=2), encoding="utf-8")


def load_sections(ctx: BenchContext) -> list[Section]:
    """The latest measurements of every section for this row count, in SECTIONS order.

    ``--only`` reruns some sections; the others keep their last measurements (each section's ratios are
    always measured within one run of that section).
    """
    found = []
    for module in SECTIONS:
        path = _results_dir(ctx) / f"{module}.json"
        if not path.exists():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        section = Section(
            title=data["title"],
            timings=[Timing(**t) for t in data["timings"]],
            ratios=[Ratio(**r) for r in data["ratios"]],
            notes=[*data["notes"], f"Measured {data['measured_at']}, {data['runs']} runs."],
        )
        found.append(section)
    return found


@dataclass
class BenchContext:
    rows: int
    runs: int
    workdir: Path
    spark_submit_flags: str
    #: Multiples of ``rows`` the growth section measures (``--scales``).
    scales: tuple[int, ...] = (1, 3, 10)

    @property
    def python(self) -> str:
        return sys.executable

    @property
    def spark_submit(self) -> str:
        return str(Path(sys.executable).with_name("spark-submit"))

    def orders_csv(self, rows: int | None = None, failing_fraction: float = 0.0) -> Path:
        """The benchmark's orders CSV (``rows`` rows, default the bench's, seed 42; about ``failing_fraction``
        of its lines failing rules/orders.dqdl's ``orderqty > 0``), generated once and kept in the work folder
        (the same arguments give the same file)."""
        rows = rows or self.rows
        name = f"orders-{rows}" + (f"-failing-{failing_fraction:g}" if failing_fraction else "")
        out = self.workdir / "input" / name / "orders.csv"
        if not out.exists() or out.stat().st_size == 0:
            run([str(Path(sys.executable).with_name("dea-etl")), "generate-data", "orders", "--rows",
                 str(rows), "--seed", "42", "--out", str(out), "--data", str(REPO / "data"),
                 "--failing-fraction", str(failing_fraction)])
        return out

    def submit_cmd(self, script: str | Path, *args: str) -> list[str]:
        return [self.spark_submit, *shlex.split(self.spark_submit_flags), str(script), *args]

    def time(self, name: str, cmd: list[str], *, before: list[str] | None = None) -> Timing:
        """Run ``cmd`` ``runs`` times (after one untimed warm-up run); ``before`` runs untimed before each."""
        seconds = []
        for i in range(self.runs + 1):
            if before:
                run(before)
            t0 = time.perf_counter()
            run(cmd)
            if i:  # the first run warms the OS page cache and is not counted
                seconds.append(round(time.perf_counter() - t0, 3))
        return Timing(name, " ".join(shlex.quote(c) for c in cmd), seconds)


def capture(cmd: list[str]) -> str:
    """Run ``cmd``; its output (stdout and stderr together). Raises with the output's tail on failure."""
    proc = subprocess.run(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace", check=False,
        env=submit_env(),
    )
    if proc.returncode != 0:
        raise RuntimeError(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-3000:]}")
    return proc.stdout


def run(cmd: list[str]) -> None:
    capture(cmd)


def driver_json(cmd: list[str]) -> Any:
    """Run a bench driver; the JSON it printed last on a ``BENCH_JSON`` line (its stdout only: Spark's log
    and progress go to stderr, whose tail a failure shows)."""
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace", check=False, env=submit_env())
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH_JSON ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1].removeprefix("BENCH_JSON "))


def machine() -> str:
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    java = subprocess.run(["java", "-version"], capture_output=True, text=True, env=os.environ, check=False)
    java_v = (java.stderr or java.stdout).splitlines()[0] if (java.stderr or java.stdout) else "unknown"
    import pyspark

    return (
        f"{os.cpu_count()} cores ({cpu or platform.machine()}), {mem_kb / 1024 / 1024:.1f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"PySpark {pyspark.__version__}, {java_v}"
    )


def relative(text: str) -> str:
    """``text`` with the repository's absolute path removed: commands read relative to a clone."""
    return text.replace(str(REPO) + "/", "").replace(str(REPO), ".")


def render(sections: list[Section], ctx: BenchContext, command: str) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench`; do not edit by hand. Every time is the median of "
        f"{ctx.runs} runs of the whole command (process start included) after one warm-up run.",
        "",
        f"- Machine: {machine()}",
        f"- Command: `{relative(command)}`",
        f"- Rows: {ctx.rows:,} generated orders (`dea-etl generate-data orders --seed 42`)",
        "",
    ]
    for s in sections:
        lines += [f"## {s.title}", "", "| measurement | median s | runs (s) |", "|---|---:|---|"]
        for t in s.timings:
            lines.append(f"| {t.name} | {t.median:.2f} | {', '.join(f'{x:.2f}' for x in t.seconds)} |")
        if s.ratios:
            lines += ["", "| ratio | value | target | met |", "|---|---:|---:|---|"]
            for r in s.ratios:
                lines.append(f"| {r.name} | {r.value:.3f} | {r.op} {r.target} | {'yes' if r.met else 'NO'} |")
        lines += ["", "Commands:", ""]
        lines += [f"- {t.name}: `{relative(t.command)}`" for t in s.timings]
        if s.notes:
            lines += ["", *(relative(n) for n in s.notes)]
        lines.append("")
    return "\n".join(lines)


def _sections(text: str) -> tuple[str, dict[str, str]]:
    """A BENCHMARKS.md text as (its preamble, its sections by ``## `` title, in order)."""
    preamble, *parts = re.split(r"^(?=## )", text, flags=re.MULTILINE)
    return preamble, {part.splitlines()[0][3:].strip(): part for part in parts}


def merge(previous: str, current: str) -> str:
    """``current`` (the sections whose measurements this machine holds) with every section of ``previous``
    that it lacks kept as it was, in its place: a section measured on another clone (its results live in
    that clone's ignored ``.bench/``) is not lost when another section is rerun here."""
    _, old = _sections(previous)
    preamble, new = _sections(current)
    titles = [*old, *(t for t in new if t not in old)]
    return preamble + "\n".join(new.get(t, old.get(t, "")).rstrip("\n") + "\n" for t in titles)
