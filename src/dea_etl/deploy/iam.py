"""Least-privilege IAM policy documents for the jobs' role and the state machine's role, per target.

S3: list the lake's prefixes, read rawData/ and scriptLocation/, read and write processedData/ and
tmpDir/. Glue Data Catalog actions only on the named database and its tables. Logs only in the target's
log groups. KMS only on the given key. No ``"*"`` action anywhere; a ``"*"`` resource only where AWS
offers no resource-level permission (``cloudwatch:PutMetricData``, narrowed by namespace).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dea_etl.io.lake import PROCESSED, RAW, SCRIPT_LOCATION, TMP_DIR

TRUSTED = {
    "glue": "glue.amazonaws.com",
    "emr": "ec2.amazonaws.com",
    "emr-serverless": "emr-serverless.amazonaws.com",
}
OBJECT_WRITE = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
]
CATALOG_ACTIONS = [
    "glue:GetDatabase",
    "glue:GetTable",
    "glue:GetTables",
    "glue:CreateTable",
    "glue:UpdateTable",
    # Iceberg (GlueCatalog): a write that created its table and then fails or is discarded drops it again
    "glue:DeleteTable",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:CreatePartition",
    "glue:BatchCreatePartition",
    "glue:UpdatePartition",
    "glue:BatchUpdatePartition",
    "glue:BatchGetPartition",
]


@dataclass(frozen=True)
class PolicyRequest:
    target: str
    bucket: str
    database: str | None = None
    kms_key_id: str | None = None
    region: str = "*"
    account_id: str = "*"
    prefix: str = "dea-etl-"

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account_id}:{resource}"

    @property
    def kms_key_arn(self) -> str | None:
        if not self.kms_key_id or self.kms_key_id.startswith("arn:"):
            return self.kms_key_id
        return self.arn("kms", f"key/{self.kms_key_id}")


def _statement(
    sid: str, actions: list[str], resources: list[str], condition: dict[str, Any] | None = None
) -> dict[str, Any]:
    st: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}
    if condition:
        st["Condition"] = condition
    return st


def _document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements}


def _trust(service: str) -> dict[str, Any]:
    return _document([{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}])


def s3_statements(req: PolicyRequest) -> list[dict[str, Any]]:
    bucket = f"arn:aws:s3:::{req.bucket}"
    prefixes = [RAW, PROCESSED, TMP_DIR, SCRIPT_LOCATION]
    return [
        _statement(
            "ListLakePrefixes",
            ["s3:ListBucket"],
            [bucket],
            {"StringLike": {"s3:prefix": [p for folder in prefixes for p in (folder, f"{folder}/*")]}},
        ),
        _statement("BucketLocation", ["s3:GetBucketLocation"], [bucket]),
        _statement(
            "ReadRawDataAndScripts", ["s3:GetObject"], [f"{bucket}/{RAW}/*", f"{bucket}/{SCRIPT_LOCATION}/*"]
        ),
        _statement(
            "WriteProcessedDataAndTmpDir", OBJECT_WRITE, [f"{bucket}/{PROCESSED}/*", f"{bucket}/{TMP_DIR}/*"]
        ),
    ]


def job_permissions(req: PolicyRequest) -> dict[str, Any]:
    statements = s3_statements(req)
    if req.database:
        statements.append(
            _statement(
                "CatalogDatabase",
                CATALOG_ACTIONS,
                [
                    req.arn("glue", "catalog"),
                    req.arn("glue", f"database/{req.database}"),
                    req.arn("glue", f"table/{req.database}/*"),
                ],
            )
        )
    if req.target == "glue":
        statements.append(
            _statement(
                "GlueLogs",
                ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                [
                    req.arn("logs", "log-group:/aws-glue/*"),
                    req.arn("logs", "log-group:/aws-glue/*:log-stream:*"),
                ],
            )
        )
        statements.append(
            _statement(
                "GlueMetrics",
                ["cloudwatch:PutMetricData"],
                ["*"],
                {"StringEquals": {"cloudwatch:namespace": "Glue"}},
            )
        )
    if req.kms_key_arn:
        statements.append(
            _statement("EncryptWithLakeKey", ["kms:Decrypt", "kms:GenerateDataKey"], [req.kms_key_arn])
        )
    return _document(statements)


def state_machine_permissions(req: PolicyRequest) -> dict[str, Any]:
    if req.target == "glue":
        statements = [
            _statement(
                "RunPipelineJobs",
                ["glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"],
                [req.arn("glue", f"job/{req.prefix}*")],
            )
        ]
    elif req.target == "emr":
        statements = [
            _statement(
                "AddSteps",
                [
                    "elasticmapreduce:AddJobFlowSteps",
                    "elasticmapreduce:DescribeStep",
                    "elasticmapreduce:CancelSteps",
                ],
                [req.arn("elasticmapreduce", "cluster/*")],
            ),
            _statement(
                "SyncEvents",
                ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
                [req.arn("events", "rule/StepFunctionsGetEventsForEMRAddJobFlowStepsRule")],
            ),
        ]
    else:
        statements = [
            _statement(
                "StartRuns",
                ["emr-serverless:StartJobRun", "emr-serverless:GetJobRun", "emr-serverless:CancelJobRun"],
                [
                    req.arn("emr-serverless", "/applications/*"),
                    req.arn("emr-serverless", "/applications/*/jobruns/*"),
                ],
            ),
            _statement(
                "PassExecutionRole",
                ["iam:PassRole"],
                [f"arn:aws:iam::{req.account_id}:role/{req.prefix}*"],
                {"StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}},
            ),
            _statement(
                "SyncEvents",
                ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
                [req.arn("events", "rule/StepFunctionsGetEventsForEMRServerlessJobRule")],
            ),
        ]
    return _document(statements)


def policies(req: PolicyRequest) -> dict[str, Any]:
    """The documents to attach: the jobs' role (trust + permissions) and the state machine's role."""
    return {
        "target": req.target,
        "encryption": "SSE-KMS" if req.kms_key_id else "SSE-S3",
        "jobRole": {
            "AssumeRolePolicyDocument": _trust(TRUSTED[req.target]),
            "PolicyDocument": job_permissions(req),
        },
        "stateMachineRole": {
            "AssumeRolePolicyDocument": _trust("states.amazonaws.com"),
            "PolicyDocument": state_machine_permissions(req),
        },
    }
