"""A deployment as a list of API requests: uploads first, then the target's jobs, then orchestration.

The jobs come in the order they run (:func:`dea_etl.deploy.jobs.run_order`): Glue jobs are created in it,
EMR steps are one chain in it (:mod:`dea_etl.deploy.emr`), EMR Serverless runs start one after another in
it (:mod:`dea_etl.deploy.emr_serverless`), and the Glue workflow and the state machine follow it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from dea_etl.deploy import emr, emr_serverless, glue, stepfunctions
from dea_etl.deploy.calls import ApiCall
from dea_etl.deploy.config import DeployConfig, DeployError, Target
from dea_etl.deploy.jobs import pipeline_jobs, run_order
from dea_etl.deploy.package import MANIFEST, Manifest
from dea_etl.pipelines.specs import PIPELINE_ORDER


def uploads(cfg: DeployConfig, dist: Path, manifest: Manifest) -> list[ApiCall]:
    """PutObject of every artifact of the manifest, and of the manifest itself, under scriptLocation/."""
    calls = []
    names = {name: str(info["sha256"]) for name, info in manifest.artifacts.items()}
    manifest_path = dist / MANIFEST
    names[MANIFEST] = hashlib.sha256(manifest_path.read_bytes()).hexdigest() if manifest_path.exists() else ""
    for name, sha256 in names.items():
        key = cfg.lake.key(cfg.lake.script_location(name))
        params: dict[str, Any] = {"Bucket": cfg.bucket, "Key": key, **cfg.encryption.put_object_params()}
        if sha256:
            params["Metadata"] = {"sha256": sha256}
        calls.append(ApiCall("s3", "PutObject", params, body=dist / name, summary=f"s3://{cfg.bucket}/{key}"))
    return calls


def plan(cfg: DeployConfig, dist: Path, manifest: Manifest) -> list[ApiCall]:
    cfg.validate()
    calls = uploads(cfg, dist, manifest)
    jobs = run_order(cfg.jobs)
    if cfg.target is Target.GLUE:
        calls.append(glue.security_configuration(cfg))
        calls.extend(glue.create_job(cfg, job, manifest.runtime_requirements) for job in jobs)
    elif cfg.run and cfg.target is Target.EMR:
        calls.append(emr.add_steps(cfg, jobs))
    elif cfg.run:
        calls.extend(emr_serverless.start_job_runs(cfg, jobs))
    ordered = pipeline_jobs(cfg.jobs)
    if (cfg.state_machine or cfg.workflow) and not ordered:
        raise DeployError(f"no pipeline job ({', '.join(PIPELINE_ORDER)}) is deployed")
    if cfg.workflow:
        calls.extend(glue.workflow(cfg, ordered))
    if cfg.state_machine:
        calls.append(stepfunctions.create_state_machine(cfg, ordered))
    return calls
