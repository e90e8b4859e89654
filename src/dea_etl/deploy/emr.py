"""EMR 7 steps: ``command-runner.jar spark-submit --deploy-mode cluster --py-files ... jobs/JOB.py args``."""

from __future__ import annotations

from typing import Any

from dea_etl.deploy.calls import ApiCall
from dea_etl.deploy.config import DeployConfig, JobDeployment
from dea_etl.deploy.spark import conf_args, py_files, spark_conf


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


def step(cfg: DeployConfig, job: JobDeployment, name: str | None = None) -> dict[str, Any]:
    return {
        "Name": name or cfg.name(job.job),
        "ActionOnFailure": "CONTINUE",
        "HadoopJarStep": {"Jar": "command-runner.jar", "Args": spark_submit(cfg, job)},
    }


def add_step(cfg: DeployConfig, job: JobDeployment) -> ApiCall:
    params = {"JobFlowId": cfg.cluster_id, "Steps": [step(cfg, job, cfg.run_name(job.job))]}
    return ApiCall(
        "emr", "AddJobFlowSteps", params, summary=f"EMR step {cfg.run_name(job.job)} on {cfg.cluster_id}"
    )
