"""Large-ruleset DQ bench driver, run by ``benchmarks/dq_rules.py`` through spark-submit.

``dq_rules_job.py PARQUET RUNS SAMPLE_ROWS RULESET_FILE`` prints ``BENCH_JSON {...}``: seconds to parse the
ruleset (``benchmarks.dq_rules.ruleset``, written to RULESET_FILE) and to evaluate it (one pass) on the first
SAMPLE_ROWS rows of the orders Parquet, with the ruleset's size and the rules that passed.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from dea_etl.io import read_table
from dea_etl.quality import parse_ruleset, run_ruleset
from dea_etl.runtime import get_spark


def main(argv: list[str]) -> None:
    spark, _ = get_spark("bench-dq-rules")
    spark.sparkContext.setLogLevel("ERROR")
    path, runs, sample_rows, text = argv[0], int(argv[1]), int(argv[2]), Path(argv[3]).read_text(encoding="utf-8")
    df = read_table(spark, path).limit(sample_rows).localCheckpoint()
    out: dict[str, object] = {"parse": [], "evaluate": [], "chars": len(text)}
    for i in range(runs + 1):  # the first round warms the JVM and is not kept
        t0 = time.perf_counter()
        parsed = parse_ruleset(text)
        t1 = time.perf_counter()
        ev = run_ruleset(df, parsed)
        t2 = time.perf_counter()
        if i:
            out["parse"].append(round(t1 - t0, 3))  # type: ignore[attr-defined]
            out["evaluate"].append(round(t2 - t1, 3))  # type: ignore[attr-defined]
        out["passed"] = sum(o.passed for o in ev.outcomes)
    print("BENCH_JSON " + json.dumps(out), flush=True)
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
