"""EMR 7 steps: ``command-runner.jar spark-submit --deploy-mode cluster --py-files ... jobs/JOB.py args``.

``deploy --target emr`` adds the jobs to a running (long-lived) cluster as one chain of steps, in the
pipeline's order, in one ``AddJobFlowSteps`` request. Each step's ``ActionOnFailure`` is
``CANCEL_AND_WAIT``: when a step fails, EMR cancels the steps still pending (the rest of the chain: no
quality check runs on a load that failed, no mart is built on it) and the cluster keeps running, waiting
for the next steps. ``TERMINATE_CLUSTER`` fits a transient cluster created for one run; deploy never
creates clusters, and terminating a cluster it was given would end other users' work too. ``CONTINUE``
(EMR's "go on with the next step") is what the Step Functions state machine's steps use: there each step
is added only after the previous one succeeded, and the state machine's Catch ends the execution.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dea_etl.deploy.calls import ApiCall
from dea_etl.deploy.config import DeployConfig, JobDeployment
from dea_etl.deploy.spark import conf_args, py_files, spark_conf

#: A failed step of the chain cancels the pending steps; the long-running cluster stays up.
CHAIN_ACTION_ON_FAILURE = "CANCEL_AND_WAIT"
#: A step the state machine adds: the state machine, not EMR, decides what runs next.
SINGLE_ACTION_ON_FAILURE = "CONTINUE"


def spark_submit(cfg: DeployConfig, job: JobDeployment) -> list[str]:
    return [
        "spark-submit",
        "--deploy-mode",
        "cluster",
        *conf_args(spark_conf(cfg)),
        "--py-files",
        py_files(cfg),
        cfg.lake.script(job.job),
        "--JOB_NAME",
        cfg.name(job.job),
        *job.argv(),
    ]


def step(
    cfg: DeployConfig, job: JobDeployment, name: str | None = None, action_on_failure: str = SINGLE_ACTION_ON_FAILURE
) -> dict[str, Any]:
    return {
        "Name": name or cfg.name(job.job),
        "ActionOnFailure": action_on_failure,
        "HadoopJarStep": {"Jar": "command-runner.jar", "Args": spark_submit(cfg, job)},
    }


def add_steps(cfg: DeployConfig, jobs: Sequence[JobDeployment]) -> ApiCall:
    """One request adding every job as a step, in the given order, each stopping the chain when it fails."""
    steps = [step(cfg, job, cfg.run_name(job.job), CHAIN_ACTION_ON_FAILURE) for job in jobs]
    names = " -> ".join(job.job for job in jobs)
    return ApiCall("emr", "AddJobFlowSteps", {"JobFlowId": cfg.cluster_id, "Steps": steps},
                   summary=f"EMR steps {names} on {cfg.cluster_id}")
