"""``dea-etl package``, ``dea-etl deploy``, ``dea-etl state-machine`` and ``dea-etl iam-policy``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console

from dea_etl.cli.output import error

TARGETS = ("glue", "emr", "emr-serverless")


def _out() -> Console:
    return Console(soft_wrap=True, highlight=False)


def _package(ns: argparse.Namespace) -> int:
    from dea_etl.deploy.package import PackageError, build

    try:
        manifest = build(Path(ns.out), Path(ns.project), wheel=not ns.no_wheel)
    except (PackageError, OSError) as exc:
        error(f"package: {exc}")
        return 1
    out = _out()
    for name, info in manifest.artifacts.items():
        out.print(
            f"{ns.out}/{name}  {info['bytes']:>9,} bytes  sha256 {str(info['sha256'])[:12]}", markup=False
        )
    dirty = " (uncommitted changes)" if manifest.git_dirty else ""
    out.print(
        f"{ns.out}/manifest.json  dea-etl {manifest.version} at {manifest.git_commit or 'no git'}{dirty}; "
        f"jobs: {', '.join(manifest.jobs)}",
        markup=False,
    )
    return 0


def _arg_values(pairs: list[str]) -> dict[str, str]:
    from dea_etl.deploy.config import DeployError

    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise DeployError(f"--arg {pair!r}: expected NAME=VALUE")
        values[name.removeprefix("--")] = value
    return values


def config_from_args(ns: argparse.Namespace, manifest: Any) -> tuple[Any, list[str]]:
    """The DeployConfig the flags describe, and notes about jobs left out."""
    from dea_etl.deploy.config import DeployConfig, Encryption, Target
    from dea_etl.deploy.jobs import select_jobs
    from dea_etl.io.lake import Lake
    from dea_etl.pipelines import JOBS

    values = {"lake": Lake.in_bucket(ns.bucket).root, **_arg_values(ns.arg)}
    if ns.table_format == "iceberg":
        values |= {"table-format": "iceberg", "iceberg-database": ns.iceberg_database}
    wanted = [j.strip() for j in ns.jobs.split(",") if j.strip()] if ns.jobs else None
    jobs, notes = select_jobs(manifest.jobs, JOBS, values, wanted)
    cfg = DeployConfig(
        target=Target(ns.target),
        bucket=ns.bucket,
        jobs=tuple(jobs),
        prefix=ns.prefix,
        region=ns.region,
        role=ns.role,
        cluster_id=ns.cluster_id,
        application_id=ns.application_id,
        execution_role_arn=ns.execution_role_arn,
        encryption=Encryption(ns.kms_key_id),
        worker_type=ns.worker_type,
        number_of_workers=ns.number_of_workers,
        bookmark_option=ns.job_bookmark_option,
        venv_archive=ns.venv_archive,
        state_machine=ns.state_machine,
        state_machine_role_arn=ns.state_machine_role_arn,
        workflow=ns.workflow,
        schedule=ns.schedule,
        run=not ns.no_run,
        build_id=manifest.build_id,
        table_format=ns.table_format,
    )
    return cfg, notes


def order_notes(cfg: Any) -> list[str]:
    """What runs the deployed pipeline jobs in order, when nothing in this deployment does."""
    from dea_etl.deploy.config import Target
    from dea_etl.deploy.jobs import pipeline_jobs

    pipeline = pipeline_jobs(cfg.jobs)
    if cfg.target is not Target.GLUE or len(pipeline) < 2 or cfg.workflow or cfg.state_machine:
        return []
    chain = " -> ".join(j.job for j in pipeline)
    return [f"the Glue jobs are created, not started: --workflow (a schedule) or --state-machine runs {chain} "
            "in this order, each job only when the one before it succeeded"]


def _load_manifest(dist: Path) -> Any:
    from dea_etl.deploy.config import DeployError
    from dea_etl.deploy.package import MANIFEST, Manifest

    path = dist / MANIFEST
    if not path.exists():
        raise DeployError(f"{path} not found: run `make package` first")
    return Manifest.read(path)


def _deploy(ns: argparse.Namespace) -> int:
    import boto3

    from dea_etl.deploy.apply import apply
    from dea_etl.deploy.config import DeployError
    from dea_etl.deploy.plan import plan
    from dea_etl.deploy.validate import validate

    out = _out()
    try:
        dist = Path(ns.dist)
        manifest = _load_manifest(dist)
        cfg, notes = config_from_args(ns, manifest)
        notes += order_notes(cfg)
        calls = plan(cfg, dist, manifest)
        validate(calls)
    except DeployError as exc:
        error(f"deploy: {exc}")
        return 2
    # Notes go to stdout with the actions; with --dry-run stdout is the JSON alone.
    note_console = Console(stderr=True, soft_wrap=True, highlight=False) if ns.dry_run else out
    for note in notes:
        note_console.print(note, markup=False)
    if ns.dry_run:
        print(json.dumps([call.to_dict() for call in calls], indent=2))
        return 0
    try:
        apply(calls, boto3.session.Session(region_name=ns.region), lambda line: out.print(line, markup=False))
    except DeployError as exc:
        error(str(exc))
        return 1
    out.print(
        f"deployed {len(cfg.jobs)} jobs to {cfg.target} (dea-etl {manifest.version} "
        f"at {manifest.git_commit or 'no git'})",
        markup=False,
    )
    return 0


def _state_machine(ns: argparse.Namespace) -> int:
    from dea_etl.deploy.config import DeployError
    from dea_etl.deploy.jobs import pipeline_jobs
    from dea_etl.deploy.stepfunctions import definition

    try:
        cfg, _ = config_from_args(ns, _load_manifest(Path(ns.dist)))
        ordered = pipeline_jobs(cfg.jobs)
        if not ordered:
            raise DeployError("no pipeline job is packaged")
    except DeployError as exc:
        error(f"state-machine: {exc}")
        return 2
    print(json.dumps(definition(cfg, ordered), indent=2))
    return 0


def _iam_policy(ns: argparse.Namespace) -> int:
    from dea_etl.deploy.iam import PolicyRequest, policies

    request = PolicyRequest(
        target=ns.target,
        bucket=ns.bucket,
        database=ns.database,
        kms_key_id=ns.kms_key_id,
        region=ns.region or "*",
        account_id=ns.account_id or "*",
        prefix=ns.prefix,
    )
    print(json.dumps(policies(request), indent=2))
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--target", required=True, choices=TARGETS, help="where the jobs run")
    p.add_argument(
        "--bucket", required=True, help="the lake's bucket (rawData/, processedData/, scriptLocation/, ...)"
    )
    p.add_argument("--prefix", default="dea-etl-", help="prefix of every AWS-side name (default: dea-etl-)")
    p.add_argument("--region", help="AWS region (default: the SDK's)")
    p.add_argument("--kms-key-id", help="SSE-KMS key (ARN) for everything written; default SSE-S3")


def _deploy_flags(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument("--dist", default="dist", help="what `make package` built (default: dist)")
    p.add_argument("--role", help="Glue: the jobs' IAM role ARN")
    p.add_argument("--cluster-id", help="EMR: the cluster to add the steps to")
    p.add_argument("--application-id", help="EMR Serverless: the application to run on")
    p.add_argument("--execution-role-arn", help="EMR Serverless: the runs' IAM role ARN")
    p.add_argument(
        "--jobs", help="comma-separated jobs (default: every packaged job whose arguments are known)"
    )
    p.add_argument(
        "--arg",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a job argument for every job that declares it (default: lake=s3://BUCKET)",
    )
    p.add_argument("--worker-type", default="G.1X", help="Glue worker type (default: G.1X)")
    p.add_argument("--number-of-workers", type=int, default=2, help="Glue workers (default: 2)")
    p.add_argument(
        "--job-bookmark-option",
        default="job-bookmark-enable",
        choices=("job-bookmark-enable", "job-bookmark-disable", "job-bookmark-pause"),
        help="the deployed jobs' default --job-bookmark-option (default: job-bookmark-enable)",
    )
    p.add_argument(
        "--venv-archive", help="EMR / EMR Serverless: s3:// URI of a venv-pack archive (Python 3.11)"
    )
    p.add_argument(
        "--state-machine", action="store_true", help="also create or update the Step Functions pipeline"
    )
    p.add_argument("--state-machine-role-arn", help="the state machine's IAM role ARN")
    p.add_argument(
        "--workflow", action="store_true", help="Glue: also create or update the workflow and triggers"
    )
    p.add_argument("--schedule", default="cron(0 6 * * ? *)", help="the workflow's schedule (Glue cron)")
    p.add_argument(
        "--no-run", action="store_true", help="EMR / EMR Serverless: do not add steps / start runs now"
    )
    p.add_argument("--table-format", choices=("parquet", "iceberg"), default="parquet",
                   help="iceberg: the jobs write Iceberg tables in the Glue Data Catalog (--datalake-formats "
                        "iceberg and the glue_catalog settings on Glue; the Iceberg settings on EMR / EMR Serverless)")
    p.add_argument("--iceberg-database", default="dea_etl", help="with iceberg: the Glue database of the tables")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("package", help="build dist/: wheel, dea_etl.zip, deps.zip, jobs and manifest.json")
    p.add_argument("--out", default="dist", help="the folder to build into (default: dist)")
    p.add_argument("--project", default=".", help="the project root (with setup.cfg and jobs/)")
    p.add_argument("--no-wheel", action="store_true", help="skip the wheel (zips, jobs and manifest only)")
    p.set_defaults(handler=_package)

    p = sub.add_parser(
        "deploy", help="upload dist/ and create or update the jobs on glue, emr or emr-serverless"
    )
    _deploy_flags(p)
    p.add_argument("--dry-run", action="store_true", help="print the API requests as JSON; call nothing")
    p.set_defaults(handler=_deploy)

    p = sub.add_parser("state-machine", help="print the pipeline's Step Functions definition (ASL JSON)")
    _deploy_flags(p)
    p.set_defaults(handler=_state_machine)

    p = sub.add_parser("iam-policy", help="print the least-privilege IAM policies for a target")
    _common(p)
    p.add_argument("--database", help="the Glue Data Catalog database the jobs may use")
    p.add_argument("--account-id", help="AWS account id for resource ARNs (default: *)")
    p.set_defaults(handler=_iam_policy)
