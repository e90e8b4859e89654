"""Execute a plan with boto3: create what is missing, update what differs, leave alone what is equal.

Deploying twice therefore updates and never duplicates: S3 objects are compared by their sha256
metadata, Glue jobs / triggers / state machines by their definition. EMR steps and EMR Serverless runs
are named after the job and the build (``dea-etl-raw_to_processed@<build id>``): a run of the same build
with the same arguments that is pending, running or succeeded is not started again; a new build, or a
failed or cancelled run, is. Each call reports one line of what it did;
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

CLUSTER_ACCEPTS_STEPS = ("STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING")
APPLICATION_ACCEPTS_RUNS = ("CREATED", "STARTING", "STARTED", "STOPPING", "STOPPED")

#: States of a step / run that make starting the same build again a duplicate.
LIVE_STEP_STATES = ["PENDING", "RUNNING", "COMPLETED"]
LIVE_RUN_STATES = ["SUBMITTED", "PENDING", "SCHEDULED", "RUNNING", "QUEUED", "SUCCESS"]


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _not_found(exc: ClientError) -> bool:
    return _code(exc) in {
        "EntityNotFoundException",
        "ResourceNotFoundException",
        "404",
        "NoSuchKey",
        "NotFound",
    }


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


def _upsert(
    kind: str,
    name: str,
    get: Callable[[], dict[str, Any]],
    create: Callable[[], object],
    wanted: dict[str, Any],
    update: Callable[[], object] | None,
) -> str:
    """Create when ``get`` finds nothing; else update when the fields in ``wanted`` differ (when possible)."""
    try:
        existing = get()
    except ClientError as exc:
        if not _not_found(exc):
            raise
        create()
        return f"created {kind} {name}"
    if update is None:
        return f"exists {kind} {name}"
    if _same(wanted, existing):
        return f"unchanged {kind} {name}"
    update()
    return f"updated {kind} {name}"


def create_security_configuration(glue: Any, call: ApiCall) -> str:
    # A security configuration cannot be updated; its name says what it encrypts with.
    name = call.params["Name"]
    return _upsert(
        "Glue security configuration",
        name,
        lambda: glue.get_security_configuration(Name=name),
        lambda: glue.create_security_configuration(**call.params),
        {},
        None,
    )


def job_update(create_job_params: dict[str, Any]) -> dict[str, Any]:
    """UpdateJob's ``JobUpdate``: CreateJob's parameters without ``Name``."""
    return {k: v for k, v in create_job_params.items() if k != "Name"}


def create_job(glue: Any, call: ApiCall) -> str:
    name, update = call.params["Name"], job_update(call.params)
    return _upsert(
        "Glue job",
        name,
        lambda: glue.get_job(JobName=name)["Job"],
        lambda: glue.create_job(**call.params),
        update,
        lambda: glue.update_job(JobName=name, JobUpdate=update),
    )


def create_workflow(glue: Any, call: ApiCall) -> str:
    name = call.params["Name"]
    return _upsert(
        "Glue workflow",
        name,
        lambda: glue.get_workflow(Name=name)["Workflow"],
        lambda: glue.create_workflow(**call.params),
        {k: v for k, v in call.params.items() if k != "Name"},
        lambda: glue.update_workflow(**call.params),
    )


TRIGGER_UPDATABLE = ("Description", "Schedule", "Actions", "Predicate")


def create_trigger(glue: Any, call: ApiCall) -> str:
    name = call.params["Name"]
    update = {k: call.params[k] for k in TRIGGER_UPDATABLE if k in call.params}
    return _upsert(
        "Glue trigger",
        name,
        lambda: glue.get_trigger(Name=name)["Trigger"],
        lambda: glue.create_trigger(**call.params),
        update,
        lambda: glue.update_trigger(Name=name, TriggerUpdate=update),
    )


def add_job_flow_steps(emr: Any, call: ApiCall) -> str:
    cluster = call.params["JobFlowId"]
    state = emr.describe_cluster(ClusterId=cluster)["Cluster"]["Status"]["State"]
    if state not in CLUSTER_ACCEPTS_STEPS:
        raise DeployError(f"emr cluster {cluster} is {state}: it accepts no steps")
    active = [
        s
        for page in emr.get_paginator("list_steps").paginate(ClusterId=cluster, StepStates=LIVE_STEP_STATES)
        for s in page["Steps"]
    ]
    added = []
    for step in call.params["Steps"]:
        twin = next(
            (
                s
                for s in active
                if s["Name"] == step["Name"] and s["Config"]["Args"] == step["HadoopJarStep"]["Args"]
            ),
            None,
        )
        if twin:
            added.append(
                f"skipped EMR step {step['Name']}: this build is already "
                f"{twin['Status']['State'].lower()} ({twin['Id']})"
            )
            continue
        ids = emr.add_job_flow_steps(JobFlowId=cluster, Steps=[step])["StepIds"]
        added.append(f"added EMR step {step['Name']} ({ids[0]}) to {cluster}")
    return "; ".join(added)


def start_job_run(emrs: Any, call: ApiCall) -> str:
    p = call.params
    app, name = p["applicationId"], p["name"]
    state = emrs.get_application(applicationId=app)["application"]["state"]
    if state not in APPLICATION_ACCEPTS_RUNS:
        raise DeployError(f"emr-serverless application {app} is {state}: it accepts no job runs")
    try:
        runs = [
            r
            for page in emrs.get_paginator("list_job_runs").paginate(
                applicationId=app, states=LIVE_RUN_STATES
            )
            for r in page["jobRuns"]
        ]
    except ClientError as exc:
        # The application exists (above); moto_server answers "not found" until its first run.
        if not _not_found(exc):
            raise
        runs = []
    for run in runs:
        if run.get("name") != name:
            continue
        detail = emrs.get_job_run(applicationId=app, jobRunId=run["id"])["jobRun"]
        if detail.get("jobDriver") == p["jobDriver"]:
            state = run["state"].lower()
            return f"skipped EMR Serverless run {name}: this build is already {state} ({run['id']})"
    run_id = emrs.start_job_run(**p)["jobRunId"]
    return f"started EMR Serverless run {name} ({run_id}) on {app}"


def create_state_machine(sfn: Any, call: ApiCall) -> str:
    p = call.params
    arn = next(
        (
            m["stateMachineArn"]
            for page in sfn.get_paginator("list_state_machines").paginate()
            for m in page["stateMachines"]
            if m["name"] == p["name"]
        ),
        None,
    )
    if arn is None:
        arn = sfn.create_state_machine(**p)["stateMachineArn"]
        return f"created state machine {arn}"
    existing = sfn.describe_state_machine(stateMachineArn=arn)
    if (
        json.loads(existing["definition"]) == json.loads(p["definition"])
        and existing["roleArn"] == p["roleArn"]
    ):
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
            message = (
                str(error.get("Message") or exc).splitlines()[0] if str(error.get("Message") or exc) else ""
            )
            raise DeployError(
                f"{call.service} {exc.operation_name} failed ({call.summary}): {_code(exc)}: {message}"
            ) from exc
        except BotoCoreError as exc:
            raise DeployError(f"{call.service} {call.operation} failed ({call.summary}): {exc}") from exc
        except OSError as exc:
            raise DeployError(f"{call.service} {call.operation} failed ({call.summary}): {exc}") from exc
