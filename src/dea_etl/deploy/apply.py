"""Execute a plan with boto3: create what is missing, update what differs, leave alone what is equal.

Deploying twice therefore updates and never duplicates: S3 objects are compared by their sha256
metadata, Glue jobs / triggers / state machines by their definition. EMR steps and EMR Serverless runs
are named after the job and the build (``dea-etl-raw_to_processed@<build id>``): a run of the same build
with the same arguments that is pending, running or succeeded is not started again; a new build, or a
failed or cancelled run, is. The jobs run in the pipeline's order: EMR steps as one chain that a failed
step cancels, EMR Serverless runs one after another (deploy waits for each run's success before it starts
the next). Each call reports one line of what it did;
an AWS error becomes a :class:`DeployError` with one line naming the operation that failed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from dea_etl.deploy.calls import ApiCall
from dea_etl.deploy.config import DeployError

Echo = Callable[[str], None]
#: Runs one call; its line, or its lines as they come (a handler that waits).
Handler = Callable[[Any, ApiCall], str | Iterator[str]]

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
    """Add the chain of steps in one request, leaving out each step of this build that is already live.

    The chain runs in order only on a cluster that runs one step at a time: a cluster with a higher
    ``StepConcurrencyLevel`` is refused (the state machine orders the jobs there)."""
    cluster = call.params["JobFlowId"]
    described = emr.describe_cluster(ClusterId=cluster)["Cluster"]
    state = described["Status"]["State"]
    if state not in CLUSTER_ACCEPTS_STEPS:
        raise DeployError(f"emr cluster {cluster} is {state}: it accepts no steps")
    concurrency = int(described.get("StepConcurrencyLevel") or 1)
    if concurrency > 1 and len(call.params["Steps"]) > 1:
        raise DeployError(
            f"emr cluster {cluster} runs {concurrency} steps at once (StepConcurrencyLevel): the jobs would not "
            "run in the pipeline's order; use a cluster that runs one step at a time, or --state-machine --no-run"
        )
    active = [
        s
        for page in emr.get_paginator("list_steps").paginate(ClusterId=cluster, StepStates=LIVE_STEP_STATES)
        for s in page["Steps"]
    ]
    lines, steps = [], []
    for step in call.params["Steps"]:
        twin = next(
            (s for s in active if s["Name"] == step["Name"] and s["Config"]["Args"] == step["HadoopJarStep"]["Args"]),
            None,
        )
        if twin:
            state = twin["Status"]["State"].lower()
            lines.append(f"skipped EMR step {step['Name']}: this build is already {state} ({twin['Id']})")
        else:
            steps.append(step)
    if steps:
        ids = emr.add_job_flow_steps(JobFlowId=cluster, Steps=steps)["StepIds"]
        lines += [f"added EMR step {s['Name']} ({i}) to {cluster}" for s, i in zip(steps, ids, strict=True)]
    return "; ".join(lines)


#: Terminal states of an EMR Serverless job run.
RUN_SUCCEEDED = "SUCCESS"
RUN_ENDED = ("SUCCESS", "FAILED", "CANCELLED")
#: How often deploy asks whether the run it waits for has ended.
POLL_SECONDS = 30.0


def _live_runs(emrs: Any, app: str) -> list[dict[str, Any]]:
    try:
        return [
            r
            for page in emrs.get_paginator("list_job_runs").paginate(applicationId=app, states=LIVE_RUN_STATES)
            for r in page["jobRuns"]
        ]
    except ClientError as exc:
        # The application exists (checked before); moto_server answers "not found" until its first run.
        if not _not_found(exc):
            raise
        return []


def _twin_run(emrs: Any, call: ApiCall) -> dict[str, Any] | None:
    """A live run of this build (same name and driver), or None."""
    p = call.params
    for run in _live_runs(emrs, p["applicationId"]):
        if run.get("name") != p["name"]:
            continue
        detail = emrs.get_job_run(applicationId=p["applicationId"], jobRunId=run["id"])["jobRun"]
        if detail.get("jobDriver") == p["jobDriver"]:
            return dict(run)
    return None


def wait_for_job_run(
    emrs: Any, app: str, run_id: str, then: list[str], poll_seconds: float = POLL_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Wait until the run has ended; a run that did not succeed raises :class:`DeployError` naming the jobs
    that were therefore not started."""
    while True:
        run = emrs.get_job_run(applicationId=app, jobRunId=run_id)["jobRun"]
        if run["state"] in RUN_ENDED:
            break
        sleep(poll_seconds)
    if run["state"] != RUN_SUCCEEDED:
        details = f": {run['stateDetails']}" if run.get("stateDetails") else ""
        raise DeployError(
            f"EMR Serverless run {run.get('name', run_id)} ({run_id}) ended {run['state']}{details}; "
            f"not started: {', '.join(then)}"
        )
    return f"EMR Serverless run {run.get('name', run_id)} ({run_id}) succeeded"


def start_job_run(emrs: Any, call: ApiCall) -> Iterator[str]:
    """Start the run unless this build's run is live; when jobs run after it (``extra["then"]``), wait for
    its success (the lines come as it goes: the wait may be long)."""
    p = call.params
    app, name = p["applicationId"], p["name"]
    state = emrs.get_application(applicationId=app)["application"]["state"]
    if state not in APPLICATION_ACCEPTS_RUNS:
        raise DeployError(f"emr-serverless application {app} is {state}: it accepts no job runs")
    twin = _twin_run(emrs, call)
    if twin:
        run_id = twin["id"]
        line = f"skipped EMR Serverless run {name}: this build is already {twin['state'].lower()} ({run_id})"
    else:
        run_id = emrs.start_job_run(**p)["jobRunId"]
        line = f"started EMR Serverless run {name} ({run_id}) on {app}"
    then = list(call.extra.get("then", ()))
    if not then:
        yield line
        return
    yield f"{line}; waiting for it to succeed before starting {then[0]}"
    yield wait_for_job_run(emrs, app, run_id, then)


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
            done = HANDLERS[call.operation](client, call)
            for line in [done] if isinstance(done, str) else done:
                echo(line)
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
