"""What a deployment needs to know: target, bucket layout, names, encryption, and the jobs to deploy."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum

from dea_etl.errors import DeaEtlError
from dea_etl.io.lake import Lake


class DeployError(DeaEtlError):
    """A deployment could not be planned or an AWS call failed; the message is one line."""


class Target(StrEnum):
    GLUE = "glue"
    EMR = "emr"
    EMR_SERVERLESS = "emr-serverless"


@dataclass(frozen=True)
class Encryption:
    """Encryption at rest of everything the jobs write: SSE-S3 by default, SSE-KMS with a key."""

    kms_key_id: str | None = None

    @property
    def mode(self) -> str:
        return "SSE-KMS" if self.kms_key_id else "SSE-S3"

    def put_object_params(self) -> dict[str, str]:
        if self.kms_key_id:
            return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self.kms_key_id}
        return {"ServerSideEncryption": "AES256"}

    def emrfs_conf(self) -> dict[str, str]:
        """EMRFS (EMR and EMR Serverless) properties, passed as ``spark.hadoop.*`` Spark settings."""
        conf = {"spark.hadoop.fs.s3.enableServerSideEncryption": "true"}
        if self.kms_key_id:
            conf["spark.hadoop.fs.s3.serverSideEncryption.kms.keyId"] = self.kms_key_id
        return conf

    @property
    def suffix(self) -> str:
        if not self.kms_key_id:
            return "sse-s3"
        return "sse-kms-" + hashlib.sha256(self.kms_key_id.encode()).hexdigest()[:8]


@dataclass(frozen=True)
class JobDeployment:
    """One job to deploy: its name and the job arguments (``--name value``) every run gets."""

    job: str
    arguments: tuple[tuple[str, str], ...] = ()

    def argv(self) -> list[str]:
        return [token for name, value in self.arguments for token in (f"--{name}", value)]


@dataclass(frozen=True)
class DeployConfig:
    target: Target
    bucket: str
    jobs: tuple[JobDeployment, ...]
    prefix: str = "dea-etl-"
    region: str | None = None
    role: str | None = None
    cluster_id: str | None = None
    application_id: str | None = None
    execution_role_arn: str | None = None
    encryption: Encryption = field(default_factory=Encryption)
    glue_version: str = "5.0"
    worker_type: str = "G.1X"
    number_of_workers: int = 2
    bookmark_option: str = "job-bookmark-enable"
    venv_archive: str | None = None
    state_machine: bool = False
    state_machine_role_arn: str | None = None
    workflow: bool = False
    schedule: str = "cron(0 6 * * ? *)"
    #: EMR / EMR Serverless: add the steps / start the runs now (off when only the orchestration is wanted).
    run: bool = True
    #: Identifies the build (from the manifest's checksums); part of EMR step and EMR Serverless run names.
    build_id: str = ""
    #: ``iceberg``: the jobs write Iceberg tables in the Glue Data Catalog (``--table-format iceberg``).
    table_format: str = "parquet"

    @property
    def lake(self) -> Lake:
        """The bucket's layout (:mod:`dea_etl.io.lake`, the one the jobs use)."""
        return Lake.in_bucket(self.bucket)

    def name(self, job: str) -> str:
        """The AWS-side name of a job (Glue job, EMR step, EMR Serverless run)."""
        return f"{self.prefix}{job}"

    def run_name(self, job: str) -> str:
        """The name of an EMR step or EMR Serverless run started by ``deploy``: job and build."""
        return f"{self.name(job)}@{self.build_id}" if self.build_id else self.name(job)

    @property
    def pipeline_name(self) -> str:
        return f"{self.prefix}pipeline"

    def validate(self) -> None:
        """Raise :class:`DeployError` when a flag the target needs is missing."""
        needed = {
            Target.GLUE: {"--role": self.role},
            Target.EMR: {"--cluster-id": self.cluster_id},
            Target.EMR_SERVERLESS: {
                "--application-id": self.application_id,
                "--execution-role-arn": self.execution_role_arn,
            },
        }[self.target]
        if self.state_machine:
            needed["--state-machine-role-arn"] = self.state_machine_role_arn
        missing = [flag for flag, value in needed.items() if not value]
        if missing:
            raise DeployError(f"--target {self.target} needs {', '.join(missing)}")
        if self.workflow and self.target is not Target.GLUE:
            raise DeployError("--workflow is a Glue workflow: use it with --target glue")
        if not self.jobs:
            raise DeployError("no job to deploy")
