"""Orchestration stops on a data-quality failure instead of retrying it: the Step Functions state machine
(every target) and the Glue workflow; retries stay for transient errors."""

from __future__ import annotations

import json

import pytest

from dea_etl.deploy import glue
from dea_etl.deploy.config import DeployConfig, JobDeployment, Target
from dea_etl.deploy.jobs import GATE_JOBS, pipeline_jobs
from dea_etl.deploy.stepfunctions import DQ_FAILED, FAILED, TRANSIENT, create_state_machine, definition
from dea_etl.deploy.validate import request_errors

ROLE = "arn:aws:iam::123456789012:role/r"
PIPELINE = ("raw_to_processed", "data_quality", "sales_mart", "mart_quality")


def _cfg(target: Target) -> DeployConfig:
    return DeployConfig(
        target=target, bucket="b", jobs=tuple(JobDeployment(n, (("lake", "s3://b"),)) for n in PIPELINE),
        role=ROLE, cluster_id="j-1", application_id="00a", execution_role_arn=ROLE, state_machine_role_arn=ROLE,
    )


@pytest.mark.parametrize("target", list(Target))
def test_a_failed_gate_is_not_retried_and_ends_in_data_quality_failed(target: Target) -> None:
    cfg = _cfg(target)
    states = definition(cfg, pipeline_jobs(cfg.jobs))["States"]
    assert {"data_quality", "mart_quality"} == GATE_JOBS
    for gate in GATE_JOBS:
        retried = [e for r in states[gate]["Retry"] for e in r["ErrorEquals"]]
        assert retried == TRANSIENT[target]  # only the service's "try later" errors
        assert "States.TaskFailed" not in retried and "States.ALL" not in retried
        assert [(c["ErrorEquals"], c["Next"]) for c in states[gate]["Catch"]] == [
            (["States.TaskFailed"], DQ_FAILED), (["States.ALL"], FAILED)]
    for job in ("raw_to_processed", "sales_mart"):  # a transform may fail for a passing reason: retried
        assert ["States.TaskFailed"] in [r["ErrorEquals"] for r in states[job]["Retry"]]
        assert [c["Next"] for c in states[job]["Catch"]] == [FAILED]
    assert states[DQ_FAILED] == {"Type": "Fail", "Error": DQ_FAILED, "Cause": states[DQ_FAILED]["Cause"]}


@pytest.mark.parametrize("target", list(Target))
def test_the_state_machine_request_fits_the_api(target: Target) -> None:
    cfg = _cfg(target)
    call = create_state_machine(cfg, pipeline_jobs(cfg.jobs))
    assert request_errors("stepfunctions", "CreateStateMachine", call.params) == ""
    asl = json.loads(call.params["definition"])
    # every Next / Catch target exists
    targets = {s.get("Next") for s in asl["States"].values()} | {
        c["Next"] for s in asl["States"].values() for c in s.get("Catch", [])}
    assert targets - {None} <= set(asl["States"])


def test_without_a_gate_there_is_no_data_quality_failed_state() -> None:
    cfg = _cfg(Target.GLUE)
    jobs = [j for j in pipeline_jobs(cfg.jobs) if j.job not in GATE_JOBS]
    assert DQ_FAILED not in definition(cfg, jobs)["States"]


def test_the_glue_workflow_runs_the_next_job_only_when_the_gate_succeeded_and_glue_does_not_retry() -> None:
    cfg = _cfg(Target.GLUE)
    jobs = pipeline_jobs(cfg.jobs)
    calls = glue.workflow(cfg, jobs)
    after_gate = {c.params["Actions"][0]["JobName"]: c.params for c in calls[1:]}["dea-etl-sales_mart"]
    assert after_gate["Predicate"]["Conditions"] == [
        {"LogicalOperator": "EQUALS", "JobName": "dea-etl-data_quality", "State": "SUCCEEDED"}]
    for call in calls:
        assert request_errors("glue", call.operation, call.params) == ""
    for gate in (j for j in jobs if j.job in GATE_JOBS):
        assert glue.job_definition(cfg, gate, [])["MaxRetries"] == 0  # Glue would retry any failure
