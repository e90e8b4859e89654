"""EMR Serverless job runs: ``entryPoint`` (the job script), ``entryPointArguments`` and
``sparkSubmitParameters``.

EMR Serverless has no chain of runs: ``deploy --target emr-serverless`` starts the jobs one after another
in the pipeline's order, waiting for each run to succeed before it starts the next (a failed or cancelled
run stops the deployment with one line naming it and the jobs not started). The Step Functions state
machine (``--state-machine``) runs the same chain without a deploy process waiting.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from dea_etl.deploy.calls import ApiCall
from dea_etl.deploy.config import DeployConfig, JobDeployment
from dea_etl.deploy.spark import conf_args, py_files, spark_conf


def spark_submit_parameters(cfg: DeployConfig) -> str:
    conf = {"spark.submit.pyFiles": py_files(cfg), **spark_conf(cfg)}
    return " ".join(conf_args(conf))


def job_driver(cfg: DeployConfig, job: JobDeployment) -> dict[str, Any]:
    return {
        "sparkSubmit": {
            "entryPoint": cfg.lake.script(job.job),
            "entryPointArguments": ["--JOB_NAME", cfg.name(job.job), *job.argv()],
            "sparkSubmitParameters": spark_submit_parameters(cfg),
        }
    }


def monitoring(cfg: DeployConfig) -> dict[str, Any]:
    s3: dict[str, str] = {"logUri": cfg.lake.logs + "/"}
    if cfg.encryption.kms_key_id:
        s3["encryptionKeyArn"] = cfg.encryption.kms_key_id
    return {"monitoringConfiguration": {"s3MonitoringConfiguration": s3}}


def start_job_run(cfg: DeployConfig, job: JobDeployment, then: Sequence[str] = ()) -> ApiCall:
    """StartJobRun of ``job``; with ``then`` (the jobs that run after it), deploy waits for its success
    before it starts them."""
    params = {
        "applicationId": cfg.application_id,
        "clientToken": str(uuid.uuid4()),
        "executionRoleArn": cfg.execution_role_arn,
        "name": cfg.run_name(job.job),
        "jobDriver": job_driver(cfg, job),
        "configurationOverrides": monitoring(cfg),
    }
    return ApiCall(
        "emr-serverless",
        "StartJobRun",
        params,
        summary=f"EMR Serverless run {params['name']} on {cfg.application_id}",
        extra={"then": list(then)} if then else {},
    )


def start_job_runs(cfg: DeployConfig, jobs: Sequence[JobDeployment]) -> list[ApiCall]:
    """The runs of ``jobs`` in order, each started after the one before it succeeded."""
    return [start_job_run(cfg, job, [j.job for j in jobs[i + 1 :]]) for i, job in enumerate(jobs)]
