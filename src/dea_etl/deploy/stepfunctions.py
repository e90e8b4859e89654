"""The pipeline as a Step Functions state machine (ASL), one Task per job with the ``.sync`` integration of
the target, retries, and a Catch that ends the execution in a ``PipelineFailed`` state.

A data-quality gate (:data:`~dea_etl.deploy.jobs.GATE_JOBS`) that fails is a verdict, not an accident:
running it again on the same data gives the same answer. So a gate task retries only the service's own
transient errors (throttling, too many concurrent runs, internal errors of the integration), never
``States.TaskFailed``, and its failure ends the execution in ``DataQualityFailed`` (the gate's outcomes
are already in the lake's ``_dq/`` tables). The other jobs also retry ``States.TaskFailed`` (a lost
executor, an S3 slow-down), twice with back-off."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from dea_etl.deploy import emr, emr_serverless
from dea_etl.deploy.calls import ApiCall
from dea_etl.deploy.config import DeployConfig, DeployError, JobDeployment, Target
from dea_etl.deploy.jobs import GATE_JOBS

RESOURCES = {
    Target.GLUE: "arn:aws:states:::glue:startJobRun.sync",
    Target.EMR: "arn:aws:states:::elasticmapreduce:addStep.sync",
    Target.EMR_SERVERLESS: "arn:aws:states:::emr-serverless:startJobRun.sync",
}
FAILED = "PipelineFailed"
DQ_FAILED = "DataQualityFailed"
SUCCEEDED = "PipelineSucceeded"

#: The integrations' errors that say "try again later" (Step Functions names them <Service>.<Exception>).
TRANSIENT = {
    Target.GLUE: ["Glue.ConcurrentRunsExceededException", "Glue.ThrottlingException",
                  "Glue.InternalServiceException", "Glue.OperationTimeoutException"],
    Target.EMR: ["EMR.ThrottlingException", "EMR.InternalServerException", "EMR.InternalServerError"],
    Target.EMR_SERVERLESS: ["EMRServerless.ThrottlingException", "EMRServerless.InternalServerException"],
}
RETRY = [{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 60, "MaxAttempts": 2, "BackoffRate": 2.0}]
CATCH = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": FAILED}]
GATE_CATCH = [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": DQ_FAILED}, *CATCH]


def retry(target: Target, job: str) -> list[dict[str, Any]]:
    """A gate retries only transient service errors; any other job also retries a failed run."""
    transient = {"ErrorEquals": TRANSIENT[target], "IntervalSeconds": 30, "MaxAttempts": 3, "BackoffRate": 2.0}
    return [transient] if job in GATE_JOBS else [transient, *RETRY]


def _pascal(value: Any) -> Any:
    """Step Functions' service integrations spell the EMR Serverless API's fields in PascalCase."""
    if isinstance(value, dict):
        return {k[:1].upper() + k[1:]: _pascal(v) for k, v in value.items()}
    return value


def task_parameters(cfg: DeployConfig, job: JobDeployment) -> dict[str, Any]:
    if cfg.target is Target.GLUE:
        return {"JobName": cfg.name(job.job)}
    if cfg.target is Target.EMR:
        return {"ClusterId": cfg.cluster_id, "Step": emr.step(cfg, job)}
    return {
        "ApplicationId": cfg.application_id,
        "ExecutionRoleArn": cfg.execution_role_arn,
        "Name": cfg.name(job.job),
        "ClientToken.$": "States.UUID()",
        "JobDriver": _pascal(emr_serverless.job_driver(cfg, job)),
        "ConfigurationOverrides": _pascal(emr_serverless.monitoring(cfg)),
    }


def definition(cfg: DeployConfig, jobs: Sequence[JobDeployment]) -> dict[str, Any]:
    """The ASL document: the jobs in the given order, then ``PipelineSucceeded``."""
    if not jobs:
        raise DeployError("a state machine needs at least one job")
    states: dict[str, Any] = {}
    for i, job in enumerate(jobs):
        states[job.job] = {
            "Type": "Task",
            "Resource": RESOURCES[cfg.target],
            "Parameters": task_parameters(cfg, job),
            "ResultPath": f"$.results.{job.job}",
            "Retry": retry(cfg.target, job.job),
            "Catch": GATE_CATCH if job.job in GATE_JOBS else CATCH,
            "Next": jobs[i + 1].job if i + 1 < len(jobs) else SUCCEEDED,
        }
    states[SUCCEEDED] = {"Type": "Succeed"}
    states[FAILED] = {
        "Type": "Fail",
        "Error": FAILED,
        "Cause": "a pipeline job failed after its retries; see $.error",
    }
    if any(j.job in GATE_JOBS for j in jobs):
        states[DQ_FAILED] = {
            "Type": "Fail",
            "Error": DQ_FAILED,
            "Cause": "a data-quality gate failed (not retried); its outcomes are in processedData/_dq/",
        }
    return {
        "Comment": f"dea-etl pipeline on {cfg.target}: {' -> '.join(j.job for j in jobs)}",
        "StartAt": jobs[0].job,
        "States": states,
    }


def create_state_machine(cfg: DeployConfig, jobs: Sequence[JobDeployment]) -> ApiCall:
    params = {
        "name": cfg.pipeline_name,
        "definition": json.dumps(definition(cfg, jobs), indent=2),
        "roleArn": cfg.state_machine_role_arn,
        "type": "STANDARD",
    }
    return ApiCall(
        "stepfunctions", "CreateStateMachine", params, summary=f"state machine {cfg.pipeline_name}"
    )
