"""What the report's column profile costs: ``dq_profile_job.py PARQUET RUNS``, under spark-submit with the repository
on ``PYTHONPATH``, prints ``BENCH_JSON {...}``: seconds of one evaluation of the DQ bench's 30 rules
(``benchmarks/dq.py``) without the profile, with it (``profile=True``: two aggregations after the rules'
fused pass) and each of the profile's two aggregations alone. The first round warms the JVM and the page
cache and is not kept.

    PYTHONPATH=. .venv/bin/dea-etl submit benchmarks/drivers/dq_profile_job.py PATH/TO/orders 3
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable

from benchmarks.dq import RULES

from dea_etl.io import read_table
from dea_etl.quality import run_ruleset
from dea_etl.quality.profile import Profiler
from dea_etl.runtime import get_spark


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return round(time.perf_counter() - t0, 3)


def main(argv: list[str]) -> None:
    spark, _ = get_spark("bench-dq-profile")
    spark.sparkContext.setLogLevel("ERROR")
    df = read_table(spark, argv[0])
    runs = int(argv[1])
    ruleset = "Rules = [\n" + ",\n".join(RULES) + "\n]"
    profiler = Profiler(df.schema)
    first_set = [e.alias(k) for k, e in profiler.aggregates().items()]
    second = profiler.distribution(df.agg(*first_set).collect()[0].asDict())

    def first_alone() -> None:
        df.agg(*first_set).collect()

    def distribution_alone() -> None:
        df.agg(*[e.alias(k) for k, e in second.items()]).collect()

    cases = {
        "rules": lambda: run_ruleset(df, ruleset),
        "rules+profile": lambda: run_ruleset(df, ruleset, profile=True),
        "profile: plain statistics": first_alone,
        "profile: distinct counts and histograms": distribution_alone,
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for i in range(runs + 1):
        for name, case in cases.items():
            seconds = timed(case)
            if i:
                times[name].append(seconds)
    medians = {name: statistics.median(t) for name, t in times.items()}
    print("BENCH_JSON " + json.dumps({"rows": df.count(), "runs": times, "median": medians}))
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
