"""Packaging, job selection, request shapes (checked against botocore's API models), the state machine,
and the IAM policies — no AWS endpoint needed."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

import dea_etl
from dea_etl.cli import main
from dea_etl.deploy import apply, glue
from dea_etl.deploy.calls import ApiCall
from dea_etl.deploy.config import DeployConfig, DeployError, Encryption, JobDeployment, Target
from dea_etl.deploy.iam import PolicyRequest, policies
from dea_etl.deploy.jobs import pipeline_jobs, select_jobs
from dea_etl.deploy.package import build_library_zip
from dea_etl.deploy.stepfunctions import definition
from dea_etl.deploy.validate import request_errors, validate
from dea_etl.pipelines import JOBS

REPO = Path(__file__).resolve().parent.parent
ROLE = "arn:aws:iam::123456789012:role/r"


def test_package_contents_and_manifest(dist: Path) -> None:
    manifest = json.loads((dist / "manifest.json").read_text())
    head = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    )
    assert manifest["git_commit"] == head.stdout.strip()
    assert manifest["version"] == dea_etl.__version__
    scripts = sorted(p.stem for p in (REPO / "jobs").glob("*.py") if not p.name.startswith("_"))
    assert manifest["jobs"] == scripts
    assert sorted(p.name for p in (dist / "jobs").iterdir()) == [f"{s}.py" for s in scripts]
    assert set(manifest["artifacts"]) == {"dea_etl.zip", "deps.zip", "dea-etl-spark.jar", *(f"jobs/{s}.py" for s in scripts)}
    with zipfile.ZipFile(dist / "dea_etl.zip") as zf:
        names = zf.namelist()
    assert "dea_etl/__init__.py" in names and "dea_etl/runtime/glue.py" in names
    assert not [n for n in names if n.endswith(".pyc") or "__pycache__" in n]
    with zipfile.ZipFile(dist / "deps.zip") as zf:
        deps = set(zf.namelist())
    assert {"rich/__init__.py", "lark/__init__.py", "pygments/__init__.py", "markdown_it/__init__.py"} <= deps


def test_library_zip_is_deterministic_and_imports_alone(dist: Path, tmp_path: Path) -> None:
    again = build_library_zip(tmp_path / "again.zip")
    assert again.read_bytes() == (dist / "dea_etl.zip").read_bytes()
    # -S: no site-packages, so neither the editable install nor src/ can supply dea_etl.
    code = f"import sys; sys.path.insert(0, {str(again)!r}); import dea_etl.errors; print(dea_etl.__file__)"
    proc = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{again}/dea_etl/__init__.py"
    deps = dist / "deps.zip"
    code = (
        f"import sys; sys.path.insert(0, {str(deps)!r}); import rich.console, rich.table, lark; "
        "rich.console.Console().print(rich.table.Table('x')); print(lark.__file__)"
    )
    proc = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith(f"{deps}/lark/__init__.py")


def test_select_jobs_default_wanted_and_errors() -> None:
    values = {"lake": "s3://b"}
    jobs, notes = select_jobs(["csv_to_parquet", "raw_to_processed"], JOBS, values)
    assert jobs == [JobDeployment("raw_to_processed", (("lake", "s3://b"),))]
    assert notes == [
        "skipped csv_to_parquet: needs --table, --input, --output (give them with --arg NAME=VALUE)"
    ]
    with pytest.raises(DeployError, match="job csv_to_parquet needs --table, --input, --output"):
        select_jobs(["csv_to_parquet"], JOBS, values, ["csv_to_parquet"])
    with pytest.raises(DeployError, match="unknown jobs nope"):
        select_jobs(["csv_to_parquet"], JOBS, values, ["nope"])
    chosen, _ = select_jobs(
        ["csv_to_parquet"],
        JOBS,
        {**values, "table": "orders", "input": "i", "output": "o"},
        ["csv_to_parquet"],
    )
    assert chosen[0].argv() == ["--table", "orders", "--input", "i", "--output", "o"]


def _cfg(target: Target, **kw: Any) -> DeployConfig:
    jobs = tuple(
        JobDeployment(name, (("lake", "s3://b"),))
        for name in ("data_quality", "raw_to_processed", "sales_mart")
    )
    return DeployConfig(
        target=target,
        bucket="b",
        jobs=jobs,
        role=ROLE,
        cluster_id="j-1",
        application_id="00a",
        execution_role_arn=ROLE,
        state_machine_role_arn=ROLE,
        **kw,
    )


@pytest.mark.parametrize("target", list(Target))
def test_state_machine_chains_the_pipeline_with_retries_and_a_failure_branch(target: Target) -> None:
    cfg = _cfg(target)
    ordered = pipeline_jobs(cfg.jobs)
    assert [j.job for j in ordered] == ["raw_to_processed", "data_quality", "sales_mart"]
    asl = definition(cfg, ordered)
    states = asl["States"]
    assert asl["StartAt"] == "raw_to_processed"
    assert [states[n]["Next"] for n in ("raw_to_processed", "data_quality", "sales_mart")] == [
        "data_quality",
        "sales_mart",
        "PipelineSucceeded",
    ]
    for name in ("raw_to_processed", "sales_mart", "data_quality"):
        assert states[name]["Resource"].endswith(".sync")
        transient = states[name]["Retry"][0]
        assert transient["ErrorEquals"] and "States.TaskFailed" not in transient["ErrorEquals"]
        assert states[name]["Catch"][-1]["Next"] == "PipelineFailed"
    for name in ("raw_to_processed", "sales_mart"):
        assert states[name]["Retry"][1] == {
            "ErrorEquals": ["States.TaskFailed"],
            "IntervalSeconds": 60,
            "MaxAttempts": 2,
            "BackoffRate": 2.0,
        }
    # a failed data-quality gate is not retried: it ends the execution in DataQualityFailed
    assert len(states["data_quality"]["Retry"]) == 1
    assert states["data_quality"]["Catch"][0] == {
        "ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "DataQualityFailed"}
    assert states["DataQualityFailed"]["Type"] == "Fail"
    assert states["PipelineFailed"]["Type"] == "Fail" and states["PipelineSucceeded"]["Type"] == "Succeed"


def test_glue_update_and_trigger_update_requests_fit_the_api() -> None:
    cfg = _cfg(Target.GLUE, encryption=Encryption("arn:aws:kms:us-east-1:123456789012:key/k1"))
    call = glue.create_job(cfg, cfg.jobs[1], ["rich==13.0"])
    assert request_errors("glue", "CreateJob", call.params) == ""
    assert (
        request_errors("glue", "UpdateJob", {"JobName": "x", "JobUpdate": apply.job_update(call.params)})
        == ""
    )
    assert call.params["SecurityConfiguration"].startswith("dea-etl-sse-kms-")
    trigger = glue.workflow(cfg, pipeline_jobs(cfg.jobs))[2].params
    update = {k: trigger[k] for k in apply.TRIGGER_UPDATABLE if k in trigger}
    assert trigger["Predicate"]["Conditions"] == [
        {"LogicalOperator": "EQUALS", "JobName": "dea-etl-raw_to_processed", "State": "SUCCEEDED"}
    ]
    assert request_errors("glue", "UpdateTrigger", {"Name": trigger["Name"], "TriggerUpdate": update}) == ""


def test_validate_names_a_request_that_does_not_fit() -> None:
    bad = ApiCall(
        "glue",
        "CreateJob",
        {"Name": "j", "Role": ROLE, "Command": {"Name": "glueetl"}, "NumberOfWorkers": "two"},
        summary="Glue job j",
    )
    with pytest.raises(DeployError, match=r"glue CreateJob \(Glue job j\): .*NumberOfWorkers"):
        validate([bad])


@pytest.mark.parametrize("target", ["glue", "emr", "emr-serverless"])
def test_dry_run_prints_valid_requests_for_every_target(
    target: str, dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "deploy",
            "--jobs",
            "raw_to_processed",
            "--target",
            target,
            "--bucket",
            "b",
            "--dist",
            str(dist),
            "--role",
            ROLE,
            "--cluster-id",
            "j-1",
            "--application-id",
            "00a",
            "--execution-role-arn",
            ROLE,
            "--kms-key-id",
            "arn:aws:kms:us-east-1:123456789012:key/k1",
            "--state-machine",
            "--state-machine-role-arn",
            ROLE,
            "--dry-run",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    requests = json.loads(out)
    ops = [r["operation"] for r in requests]
    expected = {
        "glue": ["CreateSecurityConfiguration", "CreateJob"],
        "emr": ["AddJobFlowSteps"],
        "emr-serverless": ["StartJobRun"],
    }[target]
    assert ops[-len(expected) - 1 :] == [*expected, "CreateStateMachine"]
    assert all(
        r["request"]["ServerSideEncryption"] == "aws:kms" for r in requests if r["operation"] == "PutObject"
    )


def _statements(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return list(doc["PolicyDocument"]["Statement"])


@pytest.mark.parametrize("target", ["glue", "emr", "emr-serverless"])
def test_iam_policies_are_least_privilege(target: str) -> None:
    req = PolicyRequest(
        target=target,
        bucket="lake",
        database="sales",
        kms_key_id="k1",
        region="eu-west-1",
        account_id="123456789012",
    )
    docs = policies(req)
    for role in ("jobRole", "stateMachineRole"):
        for st in _statements(docs[role]):
            assert all(a != "*" and not a.endswith(":*") for a in st["Action"])
            assert st["Resource"] != ["*"] or (
                st["Action"] == ["cloudwatch:PutMetricData"] and "Condition" in st
            )
    job = {st["Sid"]: st for st in _statements(docs["jobRole"])}
    assert job["ReadRawDataAndScripts"]["Action"] == ["s3:GetObject"]
    assert job["ReadRawDataAndScripts"]["Resource"] == [
        "arn:aws:s3:::lake/rawData/*",
        "arn:aws:s3:::lake/scriptLocation/*",
    ]
    assert job["WriteProcessedDataAndTmpDir"]["Resource"] == [
        "arn:aws:s3:::lake/processedData/*",
        "arn:aws:s3:::lake/tmpDir/*",
    ]
    assert "s3:PutObject" not in json.dumps([job["ReadRawDataAndScripts"], job["ListLakePrefixes"]])
    assert job["CatalogDatabase"]["Resource"] == [
        "arn:aws:glue:eu-west-1:123456789012:catalog",
        "arn:aws:glue:eu-west-1:123456789012:database/sales",
        "arn:aws:glue:eu-west-1:123456789012:table/sales/*",
    ]
    assert job["EncryptWithLakeKey"]["Resource"] == ["arn:aws:kms:eu-west-1:123456789012:key/k1"]
    assert ("GlueLogs" in job) is (target == "glue")
    trusted = docs["jobRole"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"]
    assert (
        trusted
        == {
            "glue": "glue.amazonaws.com",
            "emr": "ec2.amazonaws.com",
            "emr-serverless": "emr-serverless.amazonaws.com",
        }[target]
    )


def test_iam_policy_without_database_has_no_catalog_access(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["iam-policy", "--target", "emr-serverless", "--bucket", "lake"]) == 0
    docs = json.loads(capsys.readouterr().out)
    assert "glue:" not in json.dumps(docs["jobRole"])
    assert docs["encryption"] == "SSE-S3"
    sm = {st["Sid"]: st for st in _statements(docs["stateMachineRole"])}
    assert sm["PassExecutionRole"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}
    }


def test_state_machine_command_prints_asl(dist: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["state-machine", "--target", "glue", "--bucket", "b", "--dist", str(dist), "--role", ROLE]) == 0
    )
    asl = json.loads(capsys.readouterr().out)
    assert asl["States"]["raw_to_processed"]["Resource"] == "arn:aws:states:::glue:startJobRun.sync"


@pytest.mark.parametrize("target", ["glue", "emr", "emr-serverless"])
def test_iceberg_deployments_carry_the_iceberg_settings(
    target: str, dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["deploy", "--jobs", "raw_to_processed", "--target", target, "--bucket", "b", "--dist", str(dist),
                 "--role", ROLE, "--cluster-id", "j-1", "--application-id", "00a", "--execution-role-arn", ROLE,
                 "--table-format", "iceberg", "--iceberg-database", "sales", "--dry-run"])
    out, err = capsys.readouterr()
    assert code == 0, err  # the requests passed botocore's validation against the API models
    (request,) = [r["request"] for r in json.loads(out)
                  if r["operation"] in ("CreateJob", "AddJobFlowSteps", "StartJobRun")]
    catalog = [
        "spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
        "spark.sql.catalog.glue_catalog=org.apache.iceberg.spark.SparkCatalog",
        "spark.sql.catalog.glue_catalog.catalog-impl=org.apache.iceberg.aws.glue.GlueCatalog",
        "spark.sql.catalog.glue_catalog.io-impl=org.apache.iceberg.aws.s3.S3FileIO",
        "spark.sql.catalog.glue_catalog.warehouse=s3://b/processedData/",
        "spark.sql.catalog.glue_catalog.cache-enabled=false",
    ]
    job_args = ["--table-format", "iceberg", "--iceberg-database", "sales"]
    if target == "glue":
        args = request["DefaultArguments"]
        assert args["--datalake-formats"] == "iceberg"
        assert args["--conf"] == " --conf ".join(catalog)
        assert (args["--table-format"], args["--iceberg-database"]) == ("iceberg", "sales")
        return
    jar = "spark.jars=s3://b/scriptLocation/dea-etl-spark.jar,/usr/share/aws/iceberg/lib/iceberg-spark3-runtime.jar"
    if target == "emr":
        argv = request["Steps"][0]["HadoopJarStep"]["Args"]
        confs = [argv[i + 1] for i, token in enumerate(argv) if token == "--conf"]
        assert argv[-len(job_args):] == job_args
    else:
        driver = request["jobDriver"]["sparkSubmit"]
        confs = driver["sparkSubmitParameters"].split(" --conf ")
        assert driver["entryPointArguments"][-len(job_args):] == job_args
    assert [c for c in confs if c in (jar, *catalog)] == [jar, *catalog]
