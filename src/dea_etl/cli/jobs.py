"""``dea-etl run JOB ...`` and ``dea-etl pipeline``."""

from __future__ import annotations

import argparse

from dea_etl.cli.output import error


def _run(ns: argparse.Namespace) -> int:
    from dea_etl.pipelines import JOBS
    from dea_etl.runtime import run_job

    if ns.job not in JOBS:
        error(f"unknown job {ns.job!r}; jobs: {', '.join(sorted(JOBS))}")
        return 2
    return run_job(JOBS[ns.job], ns.job_args)


def _pipeline(ns: argparse.Namespace) -> int:
    from dea_etl.pipelines import JOBS
    from dea_etl.runtime import run_job

    return run_job(JOBS["pipeline"], ns.job_args)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("run", help="run a job: dea-etl run JOB --arg value ...")
    p.add_argument("job")
    p.add_argument("job_args", nargs=argparse.REMAINDER)
    p.set_defaults(handler=_run)

    p = sub.add_parser(
        "pipeline",
        help="lay out a lake (folder or s3://) from the sample data and run the pipeline (job args: --lake, --data, ...)",
        prefix_chars="\0",  # every argument, --lake included, goes to the job's own parser
    )
    p.add_argument("job_args", nargs=argparse.REMAINDER)
    p.set_defaults(handler=_pipeline)
