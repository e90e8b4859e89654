"""Execute a plan with boto3: create what is missing, update what differs, leave alone what is equal.

Deploying twice therefore updates and never duplicates: S3 objects are compared by their sha256
metadata, Glue jobs / triggers / state machines by their definition, EMR steps and EMR Serverless runs
by name and arguments among those still pending or running. Each call reports one line of what it did;
an AWS error becomes a :class:`DeployError` with one line naming the operation that failed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from dea_etl.deploy.calls import ApiCall
from dea_etl.deploy.config import DeployError

Echo = Callable[[str], None]
Handler = Callable[[Any, ApiCall], str]

ACTIVE_STEP_STATES = ["PENDING", "RUNNING"]
ACTIVE_RUN_STATES = ["SUBMITTED", "PENDING", "SCHEDULED", "RUNNING", "QUEUED"]


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _not_found(exc: ClientError) -> bool:
    return _code(exc) in {"EntityNotFoundException", "ResourceNotFoundException", "404", "NoSuchKey", "NotFound"}


def _same(wanted: dict[str, Any], existing: dict[str, Any]) -> bool:
    return all(existing.get(key) == value for key, value in wanted.items())


def put_object(s3: Any, call: ApiCall) -> str:
    p = call.params
    sha256 = p.get("Metadata", {}).get("sha256")
    if sha256:
        try:
            head = s3.head_object(Bucket=p["Bucket"], Key=p["Key"])
            if head.get("Metadata", {}).get("sha256") == sha256:
                return f"unchanged s3://{p['Bucket']}/{p['Key']}"
        except ClientError as exc:
            if not _not_found(exc):
                raise
    assert call.body is not None
    with open(call.body, "rb") as body:
        s3.put_object(Body=body, **p)
    return f"uploaded {call.body} -> s3://{p['Bucket']}/{p['Key']}"


def create_security_configuration(glue: Any, call: ApiCall) -> str:
    name = call.params["Name"]
    try:
        glue.get_security_configuration(Name=name)
        return f"exists Glue security configuration {name}"
    except ClientError as exc:
        if not _not_found(exc):
            raise
    glue.create_security_configuration(**call.params)
    return f"created Glue security configuration {name}"


def create_job(glue: Any, call: ApiCall) -> str:
    name = call.params["Name"]
    try:
        existing = glue.get_job(JobName=name)["Job"]
    except ClientError as exc:
        if not _not_found(exc):
            raise
        glue.create_job(**call.params)
        return f"created Glue job {name}"
    update = {k: v for k, v in call.params.items() if k != "Name"}
    if _same(update, existing):
        return f"unchanged Glue job {name}"
    glue.update_job(JobName=name, JobUpdate=update)
    return f"updated Glue job {name}"


def create_workflow(glue: Any, call: ApiCall) -> str:
    name = call.params["Name"]
    try:
        existing = glue.get_workflow(Name=name)["Workflow"]
    except ClientError as exc:
        if not _not_found(exc):
            raise
        glue.create_workflow(**call.params)
        return f"created Glue workflow {name}"
    if _same({k: v for k, v in call.params.items() if k != "Name"}, existing):
        return f"unchanged Glue workflow {name}"
    glue.update_workflow(**call.params)
    return f"updated Glue workflow {name}"


TRIGGER_UPDATABLE = ("Description", "Schedule", "Actions", "Predicate")


def create_trigger(glue: Any, call: ApiCall) -> str:
    name = call.params["Name"]
    try:
        existing = glue.get_trigger(Name=name)["Trigger"]
    except ClientError as exc:
        if not _not_found(exc):
            raise
        glue.create_trigger(**call.params)
        return f"created Glue trigger {name}"
    update = {k: call.params[k] for k in TRIGGER_UPDATABLE if k in call.params}
    if _same(update, existing):
        return f"unchanged Glue trigger {name}"
    glue.update_trigger(Name=name, TriggerUpdate=update)
    return f"updated Glue trigger {name}"


def add_job_flow_steps(emr: Any, call: ApiCall) -> str:
    cluster = call.params["JobFlowId"]
    active = emr.list_steps(ClusterId=cluster, StepStates=ACTIVE_STEP_STATES)["Steps"]
    added = []
    for step in call.params["Steps"]:
        twin = next((s for s in active if s["Name"] == step["Name"]
                     and s["Config"]["Args"] == step["HadoopJarStep"]["Args"]), None)
        if twin:
            added.append(f"already {twin['Status']['State'].lower()} EMR step {step['Name']} ({twin['Id']})")
            continue
        ids = emr.add_job_flow_steps(JobFlowId=cluster, Steps=[step])["StepIds"]
        added.append(f"added EMR step {step['Name']} ({ids[0]}) to {cluster}")
    return "; ".join(added)


def start_job_run(emrs: Any, call: ApiCall) -> str:
    p = call.params
    app, name = p["applicationId"], p["name"]
    for run in emrs.list_job_runs(applicationId=app, states=ACTIVE_RUN_STATES)["jobRuns"]:
        if run.get("name") != name:
            continue
        detail = emrs.get_job_run(applicationId=app, jobRunId=run["id"])["jobRun"]
        if detail.get("jobDriver") == p["jobDriver"]:
            return f"already {run['state'].lower()} EMR Serverless run {name} ({run['id']})"
    run_id = emrs.start_job_run(**p)["jobRunId"]
    return f"started EMR Serverless run {name} ({run_id}) on {app}"


def create_state_machine(sfn: Any, call: ApiCall) -> str:
    p = call.params
    arn = next((m["stateMachineArn"] for page in sfn.get_paginator("list_state_machines").paginate()
                for m in page["stateMachines"] if m["name"] == p["name"]), None)
    if arn is None:
        arn = sfn.create_state_machine(**p)["stateMachineArn"]
        return f"created state machine {arn}"
    existing = sfn.describe_state_machine(stateMachineArn=arn)
    if json.loads(existing["definition"]) == json.loads(p["definition"]) and existing["roleArn"] == p["roleArn"]:
        return f"unchanged state machine {arn}"
    sfn.update_state_machine(stateMachineArn=arn, definition=p["definition"], roleArn=p["roleArn"])
    return f"updated state machine {arn}"


HANDLERS: dict[str, Handler] = {
    "PutObject": put_object,
    "CreateSecurityConfiguration": create_security_configuration,
    "CreateJob": create_job,
    "CreateWorkflow": create_workflow,
    "CreateTrigger": create_trigger,
    "AddJobFlowSteps": add_job_flow_steps,
    "StartJobRun": start_job_run,
    "CreateStateMachine": create_state_machine,
}


def apply(calls: Iterable[ApiCall], session: Any, echo: Echo) -> None:
    """Run each call through its handler with a client from ``session`` (a boto3 Session)."""
    clients: dict[str, Any] = {}
    for call in calls:
        client = clients.get(call.service) or clients.setdefault(call.service, session.client(call.service))
        try:
            echo(HANDLERS[call.operation](client, call))
        except ClientError as exc:
            error = exc.response.get("Error", {})
            message = str(error.get("Message") or exc).splitlines()[0] if str(error.get("Message") or exc) else ""
            raise DeployError(
                f"{call.service} {exc.operation_name} failed ({call.summary}): {_code(exc)}: {message}"
            ) from exc
        except BotoCoreError as exc:
            raise DeployError(f"{call.service} {call.operation} failed ({call.summary}): {exc}") from exc
        except OSError as exc:
            raise DeployError(f"{call.service} {call.operation} failed ({call.summary}): {exc}") from exc
