"""EMR Serverless job runs: ``entryPoint`` (the job script), ``entryPointArguments`` and
``sparkSubmitParameters``."""

from __future__ import annotations

import uuid
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


def start_job_run(cfg: DeployConfig, job: JobDeployment) -> ApiCall:
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
    )
