"""python -m benchmarks --rows N --runs R --out BENCHMARKS.md [--only csv,...]"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from benchmarks import REPO, SECTIONS, BenchContext, load_sections, merge, render, save_section


def _command(argv: list[str] | None) -> str:
    return "python -m benchmarks " + " ".join(sys.argv[1:] if argv is None else argv)


def _write(out: Path, text: str) -> None:
    """``text``, keeping the sections of the file it replaces that this clone has no results for."""
    previous = out.read_text(encoding="utf-8") if out.exists() else ""
    out.write_text(merge(previous, text), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks")
    p.add_argument("--rows", type=int, default=3_000_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--out", default="BENCHMARKS.md")
    p.add_argument("--workdir", default=str(REPO / ".bench"))
    p.add_argument("--spark-submit-flags", default="--master local[2] --driver-memory 4g")
    p.add_argument("--scales", default="1,3,10", help="multiples of --rows the growth section measures")
    p.add_argument("--only", default="", help="comma-separated section module names (e.g. csv)")
    ns = p.parse_args(argv)
    scales = tuple(int(s) for s in ns.scales.split(",") if s.strip())
    ctx = BenchContext(ns.rows, ns.runs, Path(ns.workdir), ns.spark_submit_flags, scales)
    ctx.workdir.mkdir(parents=True, exist_ok=True)
    only = {s.strip() for s in ns.only.split(",") if s.strip()}
    for name in SECTIONS:
        if only and name.rsplit(".", 1)[-1] not in only:
            continue
        print(f"bench: {name} ...", flush=True)
        section = importlib.import_module(name).run(ctx)
        for t in section.timings:
            print(f"  {t.name}: median {t.median:.2f} s {t.seconds}", flush=True)
        for r in section.ratios:
            print(f"  {r.name} = {r.value:.3f} (target {r.op} {r.target}: {'met' if r.met else 'NOT met'})", flush=True)
        save_section(ctx, name, section)
        # Written after every section, so a section that fails later does not lose the ones before.
        _write(Path(ns.out), render(load_sections(ctx), ctx, _command(argv)))
    _write(Path(ns.out), render(load_sections(ctx), ctx, _command(argv)))
    print(f"bench: wrote {ns.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
