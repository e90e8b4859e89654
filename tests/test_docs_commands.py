"""Every shell command of README.md and docs/*.md runs as written, on a clean copy of the repository.

The blocks run in document order in one copy (so ``make run``'s lake serves the commands after it), each block
as one bash script (``source`` and ``export`` hold for the rest of the block), with no AWS credentials unless
the block is marked as talking to AWS (:mod:`tests.doc_commands`: then a moto_server answers, ``dea-etl
deploy`` gets ``--dry-run``). ``aws ...`` commands are checked against botocore's API models and never sent;
``make test...`` and ``make bench`` are dry-run (``make -n``): they are this suite, or minutes of benchmarks.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import boto3
import pytest
from tests.doc_commands import Block, Command, aws_model_errors, shell_blocks

from dea_etl.testing import moto_environment, reset_moto_server

REPO = Path(__file__).resolve().parent.parent
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
#: Placeholders a reader cannot paste (a block that needs one is marked skip, with the reason).
PLACEHOLDER = re.compile(r"\[--|\.\.\.|<[a-z_]+>|\b(BUCKET|PORT|SNAPSHOT_ID|RUN_ID|KEY|ARN)\b")
#: Commands run with ``make -n``: this suite itself, or minutes of benchmarks.
DRY_MAKE = re.compile(r"^make (test|test-fast|bench)\b")
#: The targets ``make`` must not remake in the copy: it shares the repository's venv and jars.
MAKEFLAGS = "-o .venv/.installed -o build/jars/.pom.sha256"


def _blocks() -> list[Block]:
    return shell_blocks(DOCS)


def test_every_command_can_be_pasted() -> None:
    found = _blocks()
    assert len(found) > 10 and sum(len(b.commands) for b in found) > 40
    for block in found:
        assert block.marker != "skip" or block.reason, f"{block.where}: a skipped block says why"
        if block.marker == "skip":
            continue
        for command in block.commands:
            code = command.text.split(" #", 1)[0]
            assert not PLACEHOLDER.search(code), f"{block.where}: {command.text}"


def test_aws_commands_fit_their_apis() -> None:
    commands = [(b, c) for b in _blocks() for c in b.commands if c.argv[:1] == ["aws"]]
    assert len(commands) > 5
    assert [(b.where, c.text, aws_model_errors(c.argv)) for b, c in commands if aws_model_errors(c.argv)] == []


def clean_copy(dest: Path) -> Path:
    """The repository's files (tracked, or new and not ignored) in ``dest``, with their times; the venv and
    the fetched jars shared as links."""
    listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, listed):
        src, dst = REPO / name, dest / name
        if not src.exists() and not src.is_symlink():
            continue  # deleted in the work tree
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst, follow_symlinks=False)
    for shared in (".venv", "build"):
        (dest / shared).symlink_to(REPO / shared)
    return dest


def _as_run(block: Block, command: Command) -> str:
    """The shell text that runs ``command`` here."""
    if command.argv[:1] == ["aws"]:
        return ":"  # checked against the API models, never sent
    if DRY_MAKE.match(command.text):
        return "make -n " + command.text.split(" ", 1)[1]
    if block.marker == "aws" and command.argv[1:2] == ["deploy"] and "--dry-run" not in command.argv:
        return command.text.split(" #", 1)[0] + " --dry-run"
    return command.text


def script(block: Block) -> str:
    """The block as a bash script that stops at the first command whose exit code is not the expected one."""
    lines = []
    for command in block.commands:
        lines.append(_as_run(block, command))
        where = shlex.quote(f"{block.path.name}:{command.line}")
        lines.append(f'rc=$?; if [ $rc -ne {command.expected_exit} ]; then echo {where} "exited $rc" >&2; exit 99; fi')
    return "\n".join(lines) + "\n"


def environment(block: Block, moto: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTEST_", "MAKE"))}
    env |= {"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "MAKEFLAGS": MAKEFLAGS}
    if block.marker == "aws":
        env |= moto_environment(moto)
    return env


@pytest.mark.slow
def test_every_command_runs_as_written_on_a_clean_copy(tmp_path: Path, moto_endpoint: str) -> None:
    copy = clean_copy(tmp_path / "dea-etl")
    failed = []
    for block in _blocks():
        if block.marker == "skip":
            continue
        env = environment(block, moto_endpoint)
        if block.marker == "aws":
            reset_moto_server(moto_endpoint)
            s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1",
                              aws_access_key_id="testing", aws_secret_access_key="testing")
            for bucket in block.buckets:
                s3.create_bucket(Bucket=bucket)
        proc = subprocess.run(["bash", "-c", script(block)], cwd=copy, env=env, capture_output=True, text=True,
                              check=False, timeout=1800)
        if proc.returncode != 0:
            failed.append(f"{block.where}: {proc.stderr.strip().splitlines()[-1:]}\n{proc.stderr[-1500:]}")
    assert failed == [], "\n\n".join(failed)
    assert (copy / "lake" / "processedData" / "orders").is_dir() and (copy / "dist" / "manifest.json").is_file()
