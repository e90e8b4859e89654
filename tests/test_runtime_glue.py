"""Runtime detection and Glue's job lifecycle (awsglue's getResolvedOptions runs for real; GlueContext
needs Glue's JVM classes, so its absence is what we can check locally; Job.init/commit ordering is
checked with a recording stand-in for awsglue's Job)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession

from dea_etl.bookmarks import open_store
from dea_etl.io import read_table
from dea_etl.pipelines.csv_to_parquet import JOB
from dea_etl.runtime import Platform, detect_platform, run_job
from dea_etl.runtime.glue import GlueRuntimeError, resolved_options, run_arguments, start_glue_job

GLUE_ARGV = [
    "--JOB_ID",
    "j_0f3c",
    "--JOB_RUN_ID",
    "jr_9ab1",
    "--JOB_NAME",
    "dea-etl-csv_to_parquet",
    "--job-bookmark-option",
    "job-bookmark-enable",
    "--TempDir",
    "s3://lake/tmpDir/",
    "--enable-metrics",
    "true",
    "--enable-glue-datacatalog",
    "true",
    "--job-language",
    "python",
]


@pytest.mark.parametrize(
    ("environ", "args", "files", "conf", "expected"),
    [
        ({}, {}, (), (), Platform.LOCAL),
        ({"DEA_ETL_PLATFORM": "emr"}, {"JOB_ID": "j_1", "JOB_RUN_ID": "jr_1"}, (), (), Platform.EMR),
        ({}, {"JOB_ID": "j_1", "JOB_RUN_ID": "jr_1"}, (), (), Platform.GLUE),
        ({}, {"JOB_ID": "x", "JOB_RUN_ID": "run-1"}, (), (), Platform.LOCAL),
        ({"GLUE_VERSION": "5.0"}, {}, (), (), Platform.GLUE),
        ({"EMR_SERVERLESS_APPLICATION_ID": "00f"}, {}, (), (), Platform.EMR_SERVERLESS),
        ({}, {}, (), ("spark.master", "spark.emr-serverless.driver.disk"), Platform.EMR_SERVERLESS),
        ({}, {}, ("/mnt/var/lib/info/job-flow.json",), (), Platform.EMR),
        ({}, {}, ("/emr/instance-controller/lib/info/instance.json",), (), Platform.EMR),
    ],
)
def test_detect_platform(
    environ: dict[str, str],
    args: dict[str, str],
    files: tuple[str, ...],
    conf: tuple[str, ...],
    expected: Platform,
) -> None:
    assert detect_platform(environ, args=args, spark_conf_keys=conf, exists=lambda p: p in files) is expected


def test_detect_platform_does_not_look_at_files_for_a_given_environment() -> None:
    assert detect_platform({}) is Platform.LOCAL


def test_run_arguments_and_resolved_options_read_glue_argv() -> None:
    assert run_arguments(GLUE_ARGV) == {"JOB_ID": "j_0f3c", "JOB_RUN_ID": "jr_9ab1"}
    options = resolved_options(GLUE_ARGV, "fallback")
    assert options["JOB_NAME"] == "dea-etl-csv_to_parquet"
    assert options["JOB_ID"] == "j_0f3c" and options["JOB_RUN_ID"] == "jr_9ab1"
    assert options["job_bookmark_option"] == "job-bookmark-enable"
    assert options["TempDir"] == "s3://lake/tmpDir/"
    assert resolved_options(["--table", "t"], "fallback")["JOB_NAME"] == "fallback"


def test_glue_context_needs_the_glue_runtime(spark: SparkSession) -> None:
    with pytest.raises(GlueRuntimeError, match=r"GlueContext/Job.init failed \(is this the Glue runtime\?\)"):
        start_glue_job(spark, GLUE_ARGV, "csv_to_parquet")


class RecordingJob:
    glue_context = None

    def __init__(self, calls: list[Any]) -> None:
        self.calls = calls

    def init(self, job_name: str, args: Any) -> None:
        self.calls.append(("init", job_name, dict(args)))

    def commit(self) -> None:
        self.calls.append(("commit",))


def _csv(path: Path) -> Path:
    # One good row and one with an empty key (quarantined).
    path.write_text("293,Catherine,Abel,Catherine Abel\r\n,Kim,,\r\n", encoding="utf-8")
    return path


def _glue_run_argv(input_path: Path, output: Path) -> list[str]:
    """What Glue passes to the csv_to_parquet script, with the lake bucket made on the moto_server.

    The bookmark state goes to an S3 store (``--bookmark-store``; without it Glue's own bookmarks would
    keep it, see test_bookmarks_glue.py): here the moto_server's bucket.
    """
    import boto3

    boto3.client("s3").create_bucket(Bucket="lake")
    return [*GLUE_ARGV, "--table", "customers", "--input", str(input_path), "--output", str(output),
            "--bookmark-store", "s3://lake/tmpDir/bookmarks"]


def test_run_job_on_glue_inits_then_commits(spark: SparkSession, tmp_path: Path, aws: str) -> None:
    calls: list[Any] = []
    argv = _glue_run_argv(_csv(tmp_path / "c.csv"), tmp_path / "out")
    code = run_job(JOB, argv, glue_job_factory=lambda s: RecordingJob(calls))
    assert code == 0
    assert [c[0] for c in calls] == ["init", "commit"]
    assert calls[0][1] == "dea-etl-csv_to_parquet"
    assert calls[0][2]["JOB_RUN_ID"] == "jr_9ab1"
    assert calls[0][2]["job_bookmark_option"] == "job-bookmark-enable"
    assert read_table(spark, str(tmp_path / "out")).count() == 1
    entry = open_store("s3://lake/tmpDir/bookmarks").latest("dea-etl-csv_to_parquet")
    assert entry is not None and entry.run_id == "jr_9ab1"


def test_run_job_on_glue_does_not_commit_a_failed_run(tmp_path: Path, aws: str, capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[Any] = []
    (tmp_path / "afile").write_text("x")  # the output's parent is a file: the write fails, after Job.init
    argv = _glue_run_argv(_csv(tmp_path / "c.csv"), tmp_path / "afile" / "out")
    assert run_job(JOB, argv, glue_job_factory=lambda s: RecordingJob(calls)) == 1
    assert [c[0] for c in calls] == ["init"]
    assert f"writing {tmp_path / 'afile' / 'out'} failed" in capsys.readouterr().err
    assert open_store("s3://lake/tmpDir/bookmarks").latest("dea-etl-csv_to_parquet") is None


def test_a_missing_input_is_refused_before_glue_s_job_starts(tmp_path: Path, aws: str,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[Any] = []
    argv = _glue_run_argv(tmp_path / "missing.csv", tmp_path / "out")
    assert run_job(JOB, argv, glue_job_factory=lambda s: RecordingJob(calls)) == 1
    assert calls == []
    assert "missing.csv does not exist" in capsys.readouterr().err


def test_the_arguments_deploy_gives_a_glue_job_parse() -> None:
    from dea_etl.deploy import glue
    from dea_etl.deploy.config import DeployConfig, JobDeployment, Target
    from dea_etl.pipelines.raw_to_processed import JOB as RAW
    from dea_etl.runtime.args import parse_job_args

    cfg = DeployConfig(Target.GLUE, "lake", (JobDeployment("raw_to_processed", (("lake", "s3://lake"),)),))
    defaults = glue.default_arguments(cfg, cfg.jobs[0], ["rich==13.0", "lark==1.2"])
    # What Glue passes to the script: the default arguments plus its own run arguments.
    argv = [token for item in defaults.items() for token in item]
    argv += ["--JOB_ID", "j_1", "--JOB_RUN_ID", "jr_1", "--JOB_NAME", "dea-etl-raw_to_processed"]
    args = parse_job_args(argv, RAW.args, prog="raw_to_processed")
    assert args["lake"] == "s3://lake"
    assert args["job_bookmark_option"] == "job-bookmark-enable"
    assert args["TempDir"] == "s3://lake/tmpDir/"
    assert args["JOB_NAME"] == "dea-etl-raw_to_processed"
