"""The shell commands of README.md and docs/*.md, as a reader pastes them: fenced ``sh`` / ``bash`` / ``shell``
blocks, read in document order, and what the docs test does with each.

A block may be preceded by a marker comment (on the line right above its fence):

- ``<!-- doc-test: skip: REASON -->``: the block is not run (the reason is required: it says what it needs
  that the test cannot have, e.g. docker);
- ``<!-- doc-test: aws -->``: the block talks to AWS: it runs against a moto_server (the buckets its
  ``s3://`` URIs name are made first), and ``dea-etl deploy`` gets ``--dry-run``.

Every ``aws ...`` command is checked against botocore's model of its API (service, operation, parameter
names) and never sent. A command may end with a comment ``# exits N`` when exit code N is what it shows.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

SHELL_LANGUAGES = ("sh", "bash", "shell")
MARKER = re.compile(r"<!--\s*doc-test:\s*(?P<what>skip|aws)\s*(?::\s*(?P<reason>.*?))?\s*-->")
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w-]*)\s*$")
EXITS = re.compile(r"#\s*exits\s+(\d+)\b")
#: A bucket a block's command names (made on the moto_server before an ``aws`` block runs).
BUCKET = re.compile(r"s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])")


@dataclass(frozen=True)
class Command:
    text: str
    line: int
    expected_exit: int = 0

    @property
    def argv(self) -> list[str]:
        return shlex.split(self.text, comments=True)


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    lang: str
    text: str
    marker: str = ""
    reason: str = ""
    commands: tuple[Command, ...] = field(default=())

    @property
    def where(self) -> str:
        return f"{self.path.name}:{self.line}"

    @property
    def buckets(self) -> list[str]:
        return sorted(set(BUCKET.findall(self.text)))


def _commands(text: str, first_line: int) -> tuple[Command, ...]:
    """The block's commands: continuation lines joined, comment lines left out."""
    out, current, start = [], "", 0
    for number, raw in enumerate(text.splitlines(), first_line):
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        start = start if current else number
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        code = EXITS.search(current)
        out.append(Command(current, start, int(code.group(1)) if code else 0))
        current = ""
    return tuple(out)


def blocks(path: Path) -> list[Block]:
    """Every fenced block of a markdown file, with the marker above it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or (not m.group("lang") and not _closes(lines, i)):
            i += 1
            continue
        indent, lang = m.group("indent"), m.group("lang")
        end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == "```" and lines[j].startswith(indent))
        body = "\n".join(line[len(indent):] for line in lines[i + 1:end])
        marker = MARKER.search(lines[i - 1]) if i else None
        found.append(Block(path, i + 1, lang, body, marker.group("what") if marker else "",
                           (marker.group("reason") or "") if marker else "", _commands(body, i + 2)))
        i = end + 1
    return found


def _closes(lines: list[str], i: int) -> bool:
    """Whether a bare fence at ``i`` opens a block (a later bare fence closes it)."""
    return any(line.strip() == "```" for line in lines[i + 1:])


def shell_blocks(paths: list[Path]) -> list[Block]:
    return [b for p in paths for b in blocks(p) if b.lang in SHELL_LANGUAGES]


#: Options of the aws command itself, not of an operation.
AWS_CLI_OPTIONS = ("region", "output", "query", "profile", "endpoint-url", "no-paginate", "debug", "no-cli-pager")


def aws_model_errors(argv: list[str]) -> list[str]:
    """What is wrong with ``aws SERVICE OPERATION --param ...`` by botocore's models ([] when it fits)."""
    import botocore.session
    from botocore import xform_name
    from botocore.exceptions import UnknownServiceError

    if argv[1:2] == ["s3"]:  # the high-level S3 commands are the CLI's own
        return [] if argv[2:3] and argv[2] in ("cp", "ls", "mb", "rb", "rm", "sync", "mv") else [f"aws s3 {argv[2:3]}"]
    service, operation = argv[1], argv[2] if len(argv) > 2 else ""
    try:
        model = botocore.session.get_session().get_service_model(service)
    except UnknownServiceError:
        return [f"unknown service {service}"]
    names = {xform_name(op, "-"): op for op in model.operation_names}
    if operation not in names:
        return [f"{service} has no operation {operation}"]
    shape = model.operation_model(names[operation]).input_shape
    members = {xform_name(m, "-"): m for m in (shape.members if shape else {})}
    given = [a[2:] for a in argv[3:] if a.startswith("--") and a[2:] not in AWS_CLI_OPTIONS]
    errors = [f"{service} {operation} has no parameter --{p}" for p in given if p not in members]
    required = [xform_name(m, "-") for m in (shape.required_members if shape else [])
                if not shape.members[m].metadata.get("idempotencyToken")]  # the CLI makes the token
    return errors + [f"{service} {operation} needs --{m}" for m in required if m not in given]
