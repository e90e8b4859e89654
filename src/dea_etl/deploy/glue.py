"""Glue 5.0 requests: the security configuration (encryption at rest), one job per script, and the
workflow with a scheduled trigger that runs the pipeline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dea_etl.deploy.calls import ApiCall
from dea_etl.deploy.config import DeployConfig, JobDeployment
from dea_etl.deploy.package import LIBRARY_ZIP
from dea_etl.deploy.spark import iceberg_conf, own_jar


def security_configuration_name(cfg: DeployConfig) -> str:
    return f"{cfg.prefix}{cfg.encryption.suffix}"


def security_configuration(cfg: DeployConfig) -> ApiCall:
    s3: dict[str, str] = {"S3EncryptionMode": cfg.encryption.mode}
    if cfg.encryption.kms_key_id:
        s3["KmsKeyArn"] = cfg.encryption.kms_key_id
    params = {
        "Name": security_configuration_name(cfg),
        "EncryptionConfiguration": {
            "S3Encryption": [s3],
            "CloudWatchEncryption": {"CloudWatchEncryptionMode": "DISABLED"},
            "JobBookmarksEncryption": {"JobBookmarksEncryptionMode": "DISABLED"},
        },
    }
    return ApiCall(
        "glue", "CreateSecurityConfiguration", params, summary=f"security configuration {params['Name']}"
    )


def default_arguments(
    cfg: DeployConfig, job: JobDeployment, runtime_requirements: Sequence[str]
) -> dict[str, str]:
    args = {
        "--job-language": "python",
        "--extra-py-files": cfg.lake.script_location(LIBRARY_ZIP),
        "--extra-jars": own_jar(cfg),
        "--additional-python-modules": ",".join(runtime_requirements),
        "--job-bookmark-option": cfg.bookmark_option,
        "--TempDir": cfg.lake.tmp + "/",
        "--enable-metrics": "true",
        "--enable-glue-datacatalog": "true",
    }
    if cfg.table_format == "iceberg":
        # Glue 5.0's own Iceberg, and the catalog settings in the one --conf Glue takes ("k=v --conf k=v ...").
        args["--datalake-formats"] = "iceberg"
        args["--conf"] = " --conf ".join(f"{k}={v}" for k, v in iceberg_conf(cfg).items())
    args.update({f"--{name}": value for name, value in job.arguments})
    return args


def job_definition(
    cfg: DeployConfig, job: JobDeployment, runtime_requirements: Sequence[str]
) -> dict[str, Any]:
    """CreateJob parameters (UpdateJob's ``JobUpdate`` is the same without ``Name``)."""
    definition: dict[str, Any] = {
        "Name": cfg.name(job.job),
        "Description": f"dea-etl job {job.job}",
        "Role": cfg.role,
        "Command": {"Name": "glueetl", "ScriptLocation": cfg.lake.script(job.job), "PythonVersion": "3"},
        "DefaultArguments": default_arguments(cfg, job, runtime_requirements),
        "GlueVersion": cfg.glue_version,
        "WorkerType": cfg.worker_type,
        "NumberOfWorkers": cfg.number_of_workers,
        "SecurityConfiguration": security_configuration_name(cfg),
        "MaxRetries": 0,
        "Timeout": 60,
    }
    if cfg.bookmark_option == "job-bookmark-enable":
        # Two runs at once would read the same bookmark and process the same files twice.
        definition["ExecutionProperty"] = {"MaxConcurrentRuns": 1}
    return definition


def create_job(cfg: DeployConfig, job: JobDeployment, runtime_requirements: Sequence[str]) -> ApiCall:
    params = job_definition(cfg, job, runtime_requirements)
    return ApiCall("glue", "CreateJob", params, summary=f"Glue job {params['Name']}")


def workflow(cfg: DeployConfig, jobs: Sequence[JobDeployment]) -> list[ApiCall]:
    """A workflow: a scheduled trigger starts the first job, each next job starts on the previous' success."""
    name = cfg.pipeline_name
    calls = [
        ApiCall(
            "glue",
            "CreateWorkflow",
            {"Name": name, "Description": "dea-etl pipeline", "MaxConcurrentRuns": 1},
            summary=f"Glue workflow {name}",
        )
    ]
    for i, job in enumerate(jobs):
        trigger: dict[str, Any] = {
            "Name": f"{name}-{i + 1:02d}-{job.job}",
            "WorkflowName": name,
            "Actions": [{"JobName": cfg.name(job.job)}],
        }
        if i == 0:
            trigger.update(
                Type="SCHEDULED",
                Schedule=cfg.schedule,
                StartOnCreation=True,
                Description=f"start {cfg.name(job.job)} on {cfg.schedule}",
            )
        else:
            previous = cfg.name(jobs[i - 1].job)
            trigger.update(
                Type="CONDITIONAL",
                StartOnCreation=True,
                Description=f"start {cfg.name(job.job)} when {previous} succeeded",
                Predicate={
                    "Logical": "AND",
                    "Conditions": [{"LogicalOperator": "EQUALS", "JobName": previous, "State": "SUCCEEDED"}],
                },
            )
        calls.append(ApiCall("glue", "CreateTrigger", trigger, summary=f"Glue trigger {trigger['Name']}"))
    return calls
