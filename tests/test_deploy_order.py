"""Every deploy target runs the jobs in the pipeline's one order (``PIPELINE_ORDER``) and stops when one fails.

Read from each target's plan (the requests, checked against botocore's API models), then against a
moto_server over HTTP (the ``aws`` fixture): EMR's chain of steps, EMR Serverless's runs one after another,
the Glue workflow's conditional triggers and the state machine.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from dea_etl.cli import main
from dea_etl.deploy.apply import wait_for_job_run
from dea_etl.deploy.calls import ApiCall
from dea_etl.deploy.config import DeployConfig, DeployError, JobDeployment, Target
from dea_etl.deploy.package import Manifest
from dea_etl.deploy.plan import plan
from dea_etl.deploy.validate import validate
from dea_etl.pipelines.pipeline import PIPELINE_ORDER

ROLE = "arn:aws:iam::123456789012:role/r"
BUCKET = "dea-lake"
PIPELINE = list(PIPELINE_ORDER)
#: A job outside the pipeline runs after it.
OTHER = JobDeployment("csv_to_parquet", (("table", "orders"), ("input", "s3://b/i"), ("output", "s3://b/o")))


def _cfg(target: Target, **kw: Any) -> DeployConfig:
    # given in alphabetical order (the order of the package's job scripts), the other job first
    jobs = (OTHER, *(JobDeployment(name, (("lake", "s3://b"),)) for name in sorted(PIPELINE)))
    return DeployConfig(target=target, bucket="b", jobs=jobs, role=ROLE, cluster_id="j-1", application_id="00a",
                        execution_role_arn=ROLE, state_machine_role_arn=ROLE, build_id="b1", **kw)


def _plan(cfg: DeployConfig, dist: Path) -> list[ApiCall]:
    calls = plan(cfg, dist, Manifest.read(dist / "manifest.json"))
    validate(calls)  # each request fits its API
    return calls


def _job(name: str) -> str:
    """``dea-etl-raw_to_processed@b1`` -> ``raw_to_processed``."""
    return name.removeprefix("dea-etl-").partition("@")[0]


def chain(calls: list[ApiCall], target: Target) -> list[tuple[str, str]]:
    """The jobs in the order the target runs them, each with what happens to the rest when it fails."""
    if target is Target.EMR:
        (call,) = [c for c in calls if c.operation == "AddJobFlowSteps"]
        return [(_job(s["Name"]), s["ActionOnFailure"]) for s in call.params["Steps"]]
    if target is Target.EMR_SERVERLESS:
        runs = [c for c in calls if c.operation == "StartJobRun"]
        # a run with jobs after it is waited for: the next one starts only after it succeeded
        return [(_job(c.params["name"]), "next after success" if c.extra.get("then") else "last") for c in runs]
    triggers = {c.params["Name"]: c.params for c in calls if c.operation == "CreateTrigger"}
    (first,) = [t for t in triggers.values() if t["Type"] == "SCHEDULED"]
    order, current = [], first
    while current:
        job = current["Actions"][0]["JobName"]
        successors = [t for t in triggers.values() if t.get("Predicate", {}).get("Conditions", [{}])[0].get("JobName") == job]
        step = "last"
        if successors:
            (nxt,) = successors
            condition = nxt["Predicate"]["Conditions"]
            assert nxt["Type"] == "CONDITIONAL" and nxt["Predicate"]["Logical"] == "AND" and len(condition) == 1
            step = f"next on {condition[0]['State']}"
        order.append((_job(job), step))
        current = successors[0] if successors else None
    return order


def state_machine_chain(calls: list[ApiCall]) -> list[tuple[str, str]]:
    (call,) = [c for c in calls if c.operation == "CreateStateMachine"]
    asl = json.loads(call.params["definition"])
    states, name, order = asl["States"], asl["StartAt"], []
    while states[name]["Type"] == "Task":
        failed = {states[c["Next"]]["Type"] for c in states[name]["Catch"]}
        order.append((name, f"catch -> {'/'.join(sorted(failed))}"))
        name = states[name]["Next"]
    assert states[name]["Type"] == "Succeed"
    return order


@pytest.mark.parametrize("target", list(Target))
def test_every_target_runs_the_pipeline_in_order_and_stops_on_a_failure(target: Target, dist: Path) -> None:
    calls = _plan(_cfg(target, workflow=target is Target.GLUE, state_machine=True), dist)
    expected = {
        Target.EMR: [(job, "CANCEL_AND_WAIT") for job in [*PIPELINE, OTHER.job]],
        Target.EMR_SERVERLESS: [(job, "next after success") for job in PIPELINE] + [(OTHER.job, "last")],
        Target.GLUE: [(job, "next on SUCCEEDED") for job in PIPELINE[:-1]] + [(PIPELINE[-1], "last")],
    }[target]
    assert chain(calls, target) == expected
    assert state_machine_chain(calls) == [(job, "catch -> Fail") for job in PIPELINE]
    if target is Target.GLUE:  # jobs are created in the order they run, too
        assert [_job(c.params["Name"]) for c in calls if c.operation == "CreateJob"] == [*PIPELINE, OTHER.job]


def test_an_emr_serverless_run_waits_only_when_a_job_follows(dist: Path) -> None:
    cfg = _cfg(Target.EMR_SERVERLESS)
    runs = [c for c in _plan(cfg, dist) if c.operation == "StartJobRun"]
    assert [c.extra.get("then", []) for c in runs] == [
        [*PIPELINE[1:], OTHER.job], [*PIPELINE[2:], OTHER.job], [PIPELINE[3], OTHER.job], [OTHER.job], []]


# --- against a moto_server over HTTP ----------------------------------------------------------------------


@pytest.fixture()
def bucket(aws: str) -> str:
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    return BUCKET


def deploy(capsys: pytest.CaptureFixture[str], dist: Path, *flags: str) -> tuple[int, str, str]:
    code = main(["deploy", "--bucket", BUCKET, "--dist", str(dist), "--region", "us-east-1", *flags])
    out, err = capsys.readouterr()
    return code, out, err


def _cluster(**kw: Any) -> str:
    instances = {"InstanceCount": 1, "MasterInstanceType": "m5.xlarge", "KeepJobFlowAliveWhenNoSteps": True}
    return str(boto3.client("emr").run_job_flow(
        Name="dea-etl-test", ReleaseLabel="emr-7.5.0", Applications=[{"Name": "Spark"}], Instances=instances,
        JobFlowRole="EMR_EC2_DefaultRole", ServiceRole="EMR_DefaultRole", **kw)["JobFlowId"])


def test_emr_steps_are_added_in_pipeline_order_as_one_chain(
    bucket: str, dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cluster = _cluster()
    code, out, err = deploy(capsys, dist, "--target", "emr", "--cluster-id", cluster)
    assert code == 0, err
    added = [part for line in out.splitlines() for part in line.split("; ") if part.startswith("added EMR step")]
    ids = [line.rsplit("(", 1)[1].split(")")[0] for line in added]
    emr = boto3.client("emr")
    steps = [emr.describe_step(ClusterId=cluster, StepId=i)["Step"] for i in ids]  # in the order EMR took them
    assert [(_job(s["Name"]), s["ActionOnFailure"]) for s in steps] == [(j, "CANCEL_AND_WAIT") for j in PIPELINE]

    code, out, err = deploy(capsys, dist, "--target", "emr", "--cluster-id", cluster)
    assert code == 0, err
    assert out.count("skipped EMR step") == len(PIPELINE) and "added" not in out
    assert len(emr.list_steps(ClusterId=cluster)["Steps"]) == len(PIPELINE)


def test_a_cluster_running_steps_concurrently_is_refused(
    bucket: str, dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cluster = _cluster(StepConcurrencyLevel=3)
    code, _out, err = deploy(capsys, dist, "--target", "emr", "--cluster-id", cluster)
    assert code == 1
    assert err.strip().splitlines() == [
        f"error: emr cluster {cluster} runs 3 steps at once (StepConcurrencyLevel): the jobs would not run in the "
        "pipeline's order; use a cluster that runs one step at a time, or --state-machine --no-run"]
    assert boto3.client("emr").list_steps(ClusterId=cluster)["Steps"] == []


def test_emr_serverless_runs_start_one_after_another(
    bucket: str, dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emrs = boto3.client("emr-serverless")
    app = emrs.create_application(name="dea-etl", releaseLabel="emr-7.5.0", type="SPARK")["applicationId"]
    code, out, err = deploy(capsys, dist, "--target", "emr-serverless", "--application-id", app,
                            "--execution-role-arn", ROLE)
    assert code == 0, err
    events = []  # (what, job) in the order deploy did it
    for line in out.splitlines():
        if line.startswith("started EMR Serverless run "):
            events.append(("started", _job(line.split()[4])))
        elif line.startswith("EMR Serverless run ") and line.endswith(" succeeded"):
            events.append(("succeeded", _job(line.split()[3])))
    # moto's runs succeed at once: each run is started, waited for, and only then is the next one started
    assert events == [(what, job) for job in PIPELINE for what in ("started", "succeeded")][:-1]
    assert len(emrs.list_job_runs(applicationId=app)["jobRuns"]) == len(PIPELINE)


def test_a_run_that_did_not_succeed_stops_the_chain(aws: str) -> None:
    emrs = boto3.client("emr-serverless")
    app = emrs.create_application(name="dea-etl", releaseLabel="emr-7.5.0", type="SPARK")["applicationId"]
    driver = {"sparkSubmit": {"entryPoint": "s3://b/scriptLocation/jobs/raw_to_processed.py"}}
    run = emrs.start_job_run(applicationId=app, executionRoleArn=ROLE, jobDriver=driver, name="dea-etl-raw_to_processed")
    emrs.cancel_job_run(applicationId=app, jobRunId=run["jobRunId"])
    with pytest.raises(DeployError) as failed:
        wait_for_job_run(emrs, app, run["jobRunId"], ["data_quality", "sales_mart"], poll_seconds=0)
    assert str(failed.value) == (f"EMR Serverless run dea-etl-raw_to_processed ({run['jobRunId']}) ended CANCELLED; "
                                 "not started: data_quality, sales_mart")


def test_glue_without_orchestration_says_what_runs_the_jobs_in_order(
    bucket: str, dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = deploy(capsys, dist, "--target", "glue", "--role", ROLE)
    assert code == 0, err
    chain_text = " -> ".join(PIPELINE)
    assert (f"the Glue jobs are created, not started: --workflow (a schedule) or --state-machine runs {chain_text} "
            "in this order, each job only when the one before it succeeded") in out
    code, out, err = deploy(capsys, dist, "--target", "glue", "--role", ROLE, "--workflow")
    assert code == 0, err
    assert "not started" not in out
