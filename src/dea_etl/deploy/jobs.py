"""Which jobs to deploy and with which arguments: the job scripts in the package that are registered in
``dea_etl.pipelines.JOBS``, each given the values of the arguments it declares, in the order they run:
the pipeline's jobs in the pipeline's order (:data:`dea_etl.pipelines.specs.PIPELINE_ORDER`, the one
definition), then any other job in the order given."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dea_etl.deploy.config import DeployError, JobDeployment
from dea_etl.pipelines.specs import PIPELINE_ORDER
from dea_etl.runtime import JobSpec

#: The data-quality gates: a failure is the data's verdict, so orchestration stops instead of retrying.
GATE_JOBS: frozenset[str] = frozenset({"data_quality", "mart_quality"})


def _deployment(spec: JobSpec, values: Mapping[str, str]) -> tuple[JobDeployment, list[str]]:
    arguments = tuple((a.name, values[a.name]) for a in spec.args if a.name in values)
    missing = [f"--{a.name}" for a in spec.args if a.required and a.name not in values]
    return JobDeployment(spec.name, arguments), missing


def select_jobs(
    scripts: Sequence[str],
    registry: Mapping[str, JobSpec],
    values: Mapping[str, str],
    wanted: Sequence[str] | None = None,
) -> tuple[list[JobDeployment], list[str]]:
    """The jobs to deploy, in :func:`run_order`, and a note for each job left out.

    Without ``wanted``: every packaged script whose job's required arguments all have a value. With
    ``wanted``: exactly those jobs, or :class:`DeployError` naming what is unknown or missing.
    """
    known = [name for name in scripts if name in registry]
    if wanted:
        unknown = [name for name in wanted if name not in known]
        if unknown:
            raise DeployError(f"unknown jobs {', '.join(unknown)}; packaged jobs: {', '.join(known)}")
    chosen: list[JobDeployment] = []
    notes: list[str] = []
    for name in wanted or known:
        deployment, missing = _deployment(registry[name], values)
        if missing and wanted:
            raise DeployError(f"job {name} needs {', '.join(missing)}: give them with --arg NAME=VALUE")
        if missing:
            notes.append(f"skipped {name}: needs {', '.join(missing)} (give them with --arg NAME=VALUE)")
            continue
        chosen.append(deployment)
    return run_order(chosen), notes


def run_order(jobs: Sequence[JobDeployment], order: Sequence[str] = PIPELINE_ORDER) -> list[JobDeployment]:
    """The jobs in the order they run: the pipeline's jobs in pipeline order, then the others as given."""
    return [*pipeline_jobs(jobs, order), *(j for j in jobs if j.job not in order)]


def pipeline_jobs(
    jobs: Sequence[JobDeployment], order: Sequence[str] = PIPELINE_ORDER
) -> list[JobDeployment]:
    """The deployed jobs that belong to the pipeline, in pipeline order (jobs not deployed are left out)."""
    by_name = {j.job: j for j in jobs}
    return [by_name[name] for name in order if name in by_name]
