"""`dea-etl deploy` against AWS APIs served by a real moto_server over HTTP (the `aws` fixture): every
request is read back from the service — Glue jobs, security configuration, workflow and triggers, EMR
steps, EMR Serverless runs, the state machine and the uploaded objects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from dea_etl.cli import main
from dea_etl.deploy.package import Manifest, runtime_requirements

REPO = Path(__file__).resolve().parent.parent
BUCKET = "dea-lake"
ACCOUNT = "123456789012"
GLUE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/dea-etl-glue"
SFN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/dea-etl-states"
EMRS_ROLE = f"arn:aws:iam::{ACCOUNT}:role/dea-etl-emr-serverless"
LIB = f"s3://{BUCKET}/scriptLocation/dea_etl.zip"
DEPS = f"s3://{BUCKET}/scriptLocation/deps.zip"
SCRIPT = f"s3://{BUCKET}/scriptLocation/jobs/raw_to_processed.py"
GLUE = ("--target", "glue", "--role", GLUE_ROLE)
STATE_MACHINE = ("--state-machine", "--state-machine-role-arn", SFN_ROLE)


@pytest.fixture()
def bucket(aws: str) -> str:
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    return BUCKET


#: The jobs these tests deploy unless they say otherwise (other jobs, like sales_mart, deploy the same way).
JOBS = ("--jobs", "raw_to_processed")


def deploy(
    capsys: pytest.CaptureFixture[str], dist: Path, *flags: str, every_job: bool = False
) -> tuple[int, str, str]:
    jobs = () if every_job or "--jobs" in flags else JOBS
    code = main(["deploy", "--bucket", BUCKET, "--dist", str(dist), "--region", "us-east-1", *jobs, *flags])
    out, err = capsys.readouterr()
    return code, out, err


def test_glue_deploy_creates_jobs_security_configuration_workflow_and_state_machine(
    bucket: str, dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = deploy(capsys, dist, *GLUE, "--workflow", *STATE_MACHINE, every_job=True)
    assert code == 0, err
    assert "created Glue job dea-etl-raw_to_processed" in out
    assert "skipped csv_to_parquet: needs --table, --input, --output" in out

    glue = boto3.client("glue")
    assert sorted(j["Name"] for j in glue.get_jobs()["Jobs"]) == [
        "dea-etl-data_quality",
        "dea-etl-mart_quality",
        "dea-etl-raw_to_processed",
        "dea-etl-sales_mart",
    ]
    job = glue.get_job(JobName="dea-etl-raw_to_processed")["Job"]
    assert job["Role"] == GLUE_ROLE
    assert job["Command"] == {"Name": "glueetl", "ScriptLocation": SCRIPT, "PythonVersion": "3"}
    assert job["GlueVersion"] == "5.0"
    assert (job["WorkerType"], job["NumberOfWorkers"]) == ("G.1X", 2)
    assert job["ExecutionProperty"] == {"MaxConcurrentRuns": 1}
    assert job["SecurityConfiguration"] == "dea-etl-sse-s3"
    assert job["DefaultArguments"] == {
        "--job-language": "python",
        "--extra-py-files": LIB,
        "--extra-jars": f"s3://{BUCKET}/scriptLocation/dea-etl-spark.jar",  # Parquet files named for their run
        "--additional-python-modules": ",".join(runtime_requirements()),
        "--job-bookmark-option": "job-bookmark-enable",
        "--TempDir": f"s3://{BUCKET}/tmpDir/",
        "--enable-metrics": "true",
        "--enable-glue-datacatalog": "true",
        "--lake": f"s3://{BUCKET}",
    }
    sec = glue.get_security_configuration(Name="dea-etl-sse-s3")["SecurityConfiguration"]
    assert sec["EncryptionConfiguration"]["S3Encryption"] == [{"S3EncryptionMode": "SSE-S3"}]

    assert glue.get_workflow(Name="dea-etl-pipeline")["Workflow"]["Name"] == "dea-etl-pipeline"
    trigger = glue.get_trigger(Name="dea-etl-pipeline-01-raw_to_processed")["Trigger"]
    assert (trigger["Type"], trigger["Schedule"]) == ("SCHEDULED", "cron(0 6 * * ? *)")
    assert trigger["Actions"] == [{"JobName": "dea-etl-raw_to_processed"}]
    assert trigger["WorkflowName"] == "dea-etl-pipeline"

    sfn = boto3.client("stepfunctions")
    machines = sfn.list_state_machines()["stateMachines"]
    assert [m["name"] for m in machines] == ["dea-etl-pipeline"]
    described = sfn.describe_state_machine(stateMachineArn=machines[0]["stateMachineArn"])
    assert described["roleArn"] == SFN_ROLE
    asl = json.loads(described["definition"])
    assert asl["StartAt"] == "raw_to_processed"
    task = asl["States"]["raw_to_processed"]
    assert task["Resource"] == "arn:aws:states:::glue:startJobRun.sync"
    assert task["Parameters"] == {"JobName": "dea-etl-raw_to_processed"}
    assert [r["ErrorEquals"] for r in task["Retry"]][1] == ["States.TaskFailed"]
    assert task["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "PipelineFailed"}
    ]
    gate = asl["States"]["mart_quality"]
    assert all("States.TaskFailed" not in r["ErrorEquals"] for r in gate["Retry"])
    assert gate["Catch"][0]["Next"] == "DataQualityFailed"
    assert asl["States"]["DataQualityFailed"]["Type"] == "Fail"
    assert task["Next"] == "data_quality"
    assert asl["States"]["data_quality"]["Next"] == "sales_mart"
    assert asl["States"]["sales_mart"]["Next"] == "mart_quality"
    assert asl["States"]["mart_quality"]["Next"] == "PipelineSucceeded"
    assert asl["States"]["PipelineFailed"]["Type"] == "Fail"


def test_uploads_follow_the_bucket_layout_encrypted_with_checksums(
    bucket: str, dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = deploy(capsys, dist, "--target", "glue", "--role", GLUE_ROLE)
    assert code == 0, err
    s3 = boto3.client("s3")
    manifest = Manifest.read(dist / "manifest.json")
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert keys == sorted(f"scriptLocation/{name}" for name in [*manifest.artifacts, "manifest.json"])
    for name, info in manifest.artifacts.items():
        head = s3.head_object(Bucket=BUCKET, Key=f"scriptLocation/{name}")
        assert head["ServerSideEncryption"] == "AES256"
        assert head["Metadata"] == {"sha256": info["sha256"]}
        body = s3.get_object(Bucket=BUCKET, Key=f"scriptLocation/{name}")["Body"].read()
        assert body == (dist / name).read_bytes()
    assert f"uploaded {dist / 'dea_etl.zip'} -> {LIB}" in out


def test_deploying_twice_updates_nothing_and_duplicates_nothing(
    bucket: str, dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flags = (*GLUE, "--workflow", *STATE_MACHINE, "--jobs", "csv_to_parquet,raw_to_processed")
    flags += ("--arg", "table=customers", "--arg", f"input=s3://{BUCKET}/rawData/customers")
    flags += ("--arg", f"output=s3://{BUCKET}/processedData/customers")
    assert deploy(capsys, dist, *flags)[0] == 0
    code, out, err = deploy(capsys, dist, *flags)
    assert code == 0, err
    assert "unchanged Glue job dea-etl-csv_to_parquet" in out
    assert "unchanged Glue job dea-etl-raw_to_processed" in out
    assert f"unchanged {LIB}" in out
    assert "exists Glue security configuration dea-etl-sse-s3" in out
    assert "unchanged Glue workflow dea-etl-pipeline" in out
    assert "unchanged Glue trigger dea-etl-pipeline-01-raw_to_processed" in out
    assert "unchanged state machine" in out
    assert "uploaded" not in out and "created" not in out
    glue = boto3.client("glue")
    assert sorted(j["Name"] for j in glue.get_jobs()["Jobs"]) == [
        "dea-etl-csv_to_parquet",
        "dea-etl-raw_to_processed",
    ]
    args = glue.get_job(JobName="dea-etl-csv_to_parquet")["Job"]["DefaultArguments"]
    assert (args["--table"], args["--input"], args["--output"]) == (
        "customers",
        f"s3://{BUCKET}/rawData/customers",
        f"s3://{BUCKET}/processedData/customers",
    )
    assert len(boto3.client("stepfunctions").list_state_machines()["stateMachines"]) == 1
    assert len(glue.list_triggers()["TriggerNames"]) == 1


def test_changed_state_machine_is_updated_in_place(
    bucket: str, dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ("--target", "glue", "--role", GLUE_ROLE, "--state-machine", "--state-machine-role-arn")
    assert deploy(capsys, dist, *base, SFN_ROLE)[0] == 0
    other_role = f"arn:aws:iam::{ACCOUNT}:role/other-states"
    code, out, err = deploy(capsys, dist, *base, other_role)
    assert code == 0, err
    assert "updated state machine" in out
    machines = boto3.client("stepfunctions").list_state_machines()["stateMachines"]
    assert len(machines) == 1
    sfn = boto3.client("stepfunctions")
    assert sfn.describe_state_machine(stateMachineArn=machines[0]["stateMachineArn"])["roleArn"] == other_role


def _emr_cluster() -> str:
    emr = boto3.client("emr")
    return str(
        emr.run_job_flow(
            Name="dea-etl-test",
            ReleaseLabel="emr-7.5.0",
            Applications=[{"Name": "Spark"}],
            Instances={
                "InstanceCount": 1,
                "MasterInstanceType": "m5.xlarge",
                "KeepJobFlowAliveWhenNoSteps": True,
            },
            JobFlowRole="EMR_EC2_DefaultRole",
            ServiceRole="EMR_DefaultRole",
        )["JobFlowId"]
    )


def test_emr_deploy_adds_one_spark_submit_step_per_build(
    bucket: str, dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cluster = _emr_cluster()
    kms = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    flags = (
        "--target",
        "emr",
        "--cluster-id",
        cluster,
        "--kms-key-id",
        kms,
        *STATE_MACHINE,
    )
    code, out, err = deploy(capsys, dist, *flags)
    assert code == 0, err
    build_id = Manifest.read(dist / "manifest.json").build_id  # run names carry the build
    name = f"dea-etl-raw_to_processed@{build_id}"
    assert f"added EMR step {name}" in out
    expected_args = [
        "spark-submit",
        "--deploy-mode",
        "cluster",
        "--conf",
        "spark.yarn.appMasterEnv.DEA_ETL_PLATFORM=emr",
        "--conf",
        "spark.hadoop.fs.s3.enableServerSideEncryption=true",
        "--conf",
        f"spark.hadoop.fs.s3.serverSideEncryption.kms.keyId={kms}",
        "--conf",
        f"spark.jars=s3://{BUCKET}/scriptLocation/dea-etl-spark.jar",  # Parquet files named for their run
        "--py-files",
        f"{LIB},{DEPS}",
        SCRIPT,
        "--JOB_NAME",
        "dea-etl-raw_to_processed",
        "--lake",
        f"s3://{BUCKET}",
    ]
    emr = boto3.client("emr")
    steps = emr.list_steps(ClusterId=cluster)["Steps"]
    assert [(s["Name"], s["Config"]["Jar"], s["Config"]["Args"], s["ActionOnFailure"]) for s in steps] == [
        (name, "command-runner.jar", expected_args, "CANCEL_AND_WAIT")
    ]
    head = boto3.client("s3").head_object(Bucket=BUCKET, Key="scriptLocation/dea_etl.zip")
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", kms)

    code, out, err = deploy(capsys, dist, *flags)
    assert code == 0, err
    assert f"skipped EMR step {name}: this build is already" in out
    assert len(emr.list_steps(ClusterId=cluster)["Steps"]) == 1

    sfn = boto3.client("stepfunctions")
    arn = sfn.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    task = json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"])["States"][
        "raw_to_processed"
    ]
    assert task["Resource"] == "arn:aws:states:::elasticmapreduce:addStep.sync"
    assert task["Parameters"]["ClusterId"] == cluster
    assert task["Parameters"]["Step"]["HadoopJarStep"] == {"Jar": "command-runner.jar", "Args": expected_args}


def test_emr_serverless_deploy_starts_one_run_per_build(
    bucket: str, dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emrs = boto3.client("emr-serverless")
    app = emrs.create_application(name="dea-etl", releaseLabel="emr-7.5.0", type="SPARK")["applicationId"]
    venv = f"s3://{BUCKET}/scriptLocation/pyspark_venv.tar.gz"
    flags = (
        "--target",
        "emr-serverless",
        "--application-id",
        app,
        "--execution-role-arn",
        EMRS_ROLE,
        "--venv-archive",
        venv,
        *STATE_MACHINE,
    )
    code, out, err = deploy(capsys, dist, *flags)
    assert code == 0, err
    build_id = Manifest.read(dist / "manifest.json").build_id  # run names carry the build
    runs = emrs.list_job_runs(applicationId=app)["jobRuns"]
    assert [r["name"] for r in runs] == [f"dea-etl-raw_to_processed@{build_id}"]
    run = emrs.get_job_run(applicationId=app, jobRunId=runs[0]["id"])["jobRun"]
    assert run["executionRole"] == EMRS_ROLE  # GetJobRun names it executionRole
    python = "./environment/bin/python"
    assert run["jobDriver"] == {
        "sparkSubmit": {
            "entryPoint": SCRIPT,
            "entryPointArguments": ["--JOB_NAME", "dea-etl-raw_to_processed", "--lake", f"s3://{BUCKET}"],
            "sparkSubmitParameters": " ".join(
                [
                    f"--conf spark.submit.pyFiles={LIB},{DEPS}",
                    "--conf spark.emr-serverless.driverEnv.DEA_ETL_PLATFORM=emr-serverless",
                    "--conf spark.hadoop.fs.s3.enableServerSideEncryption=true",
                    f"--conf spark.archives={venv}#environment",
                    f"--conf spark.emr-serverless.driverEnv.PYSPARK_DRIVER_PYTHON={python}",
                    f"--conf spark.emr-serverless.driverEnv.PYSPARK_PYTHON={python}",
                    f"--conf spark.executorEnv.PYSPARK_PYTHON={python}",
                    f"--conf spark.jars=s3://{BUCKET}/scriptLocation/dea-etl-spark.jar",
                ]
            ),
        }
    }
    assert run["configurationOverrides"] == {
        "monitoringConfiguration": {"s3MonitoringConfiguration": {"logUri": f"s3://{BUCKET}/tmpDir/logs/"}}
    }

    code, out, err = deploy(capsys, dist, *flags)
    assert code == 0, err
    assert "skipped EMR Serverless run" in out
    assert len(emrs.list_job_runs(applicationId=app)["jobRuns"]) == 1

    sfn = boto3.client("stepfunctions")
    arn = sfn.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    task = json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"])["States"][
        "raw_to_processed"
    ]
    assert task["Resource"] == "arn:aws:states:::emr-serverless:startJobRun.sync"
    params = task["Parameters"]
    assert (params["ApplicationId"], params["ExecutionRoleArn"]) == (app, EMRS_ROLE)
    assert params["JobDriver"]["SparkSubmit"]["EntryPoint"] == SCRIPT
    assert (
        params["JobDriver"]["SparkSubmit"]["SparkSubmitParameters"]
        == (run["jobDriver"]["sparkSubmit"]["sparkSubmitParameters"])
    )


def test_aws_error_is_one_readable_line(bucket: str, dist: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = deploy(capsys, dist, "--target", "emr", "--cluster-id", "j-DOESNOTEXIST")
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: emr DescribeCluster failed (EMR steps raw_to_processed on j-DOESNOTEXIST)")
    assert lines[0].endswith("InvalidRequestException: Cluster id 'j-DOESNOTEXIST' is not valid.")


def test_missing_bucket_is_one_readable_line(
    aws: str, dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = deploy(capsys, dist, "--target", "glue", "--role", GLUE_ROLE)
    assert code == 1
    assert err.strip().splitlines() == [
        f"error: s3 PutObject failed (s3://{BUCKET}/scriptLocation/dea_etl.zip): NoSuchBucket: "
        "The specified bucket does not exist"
    ]


def test_dry_run_prints_requests_and_calls_nothing(
    bucket: str, dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = deploy(capsys, dist, "--target", "glue", "--role", GLUE_ROLE, "--dry-run")
    assert code == 0, err
    requests: list[dict[str, Any]] = json.loads(out)
    assert [(r["service"], r["operation"]) for r in requests][-2:] == [
        ("glue", "CreateSecurityConfiguration"),
        ("glue", "CreateJob"),
    ]
    assert requests[-1]["request"]["Name"] == "dea-etl-raw_to_processed"
    assert "Contents" not in boto3.client("s3").list_objects_v2(Bucket=BUCKET)
    assert boto3.client("glue").get_jobs()["Jobs"] == []


def test_missing_target_flag_is_a_usage_error(
    aws: str, dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = deploy(capsys, dist, "--target", "emr-serverless", "--application-id", "00abc")
    assert code == 2
    assert err.strip() == "error: deploy: --target emr-serverless needs --execution-role-arn"


def test_changed_glue_job_is_updated_not_created_again(
    bucket: str, dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert deploy(capsys, dist, "--target", "glue", "--role", GLUE_ROLE)[0] == 0
    code, out, err = deploy(capsys, dist, "--target", "glue", "--role", GLUE_ROLE, "--number-of-workers", "5")
    glue = boto3.client("glue")
    assert [j["Name"] for j in glue.get_jobs()["Jobs"]] == ["dea-etl-raw_to_processed"]
    if code == 0:  # a moto_server that implements UpdateJob
        assert "updated Glue job dea-etl-raw_to_processed" in out
        assert glue.get_job(JobName="dea-etl-raw_to_processed")["Job"]["NumberOfWorkers"] == 5
    else:  # moto 5.2 does not implement UpdateJob (HTTP 500): the request that was sent is UpdateJob
        assert code == 1
        assert (
            err.strip()
            .splitlines()[0]
            .startswith("error: glue UpdateJob failed (Glue job dea-etl-raw_to_processed): ")
        )
