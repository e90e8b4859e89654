"""Job arguments, read the way AWS Glue's ``getResolvedOptions`` reads them.

``--name value`` and ``--name=value`` both work; names keep their spelling (``--JOB_NAME``) and
dashes become underscores in the result (``--job-bookmark-option`` -> ``job_bookmark_option``), as in
awsglue. Arguments that Glue, EMR or EMR Serverless add to every run (``--JOB_ID``, ``--TempDir``,
``--enable-metrics``, ...) are accepted and ignored unless a job declares them.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import NoReturn

from dea_etl.errors import JobArgumentError

BOOKMARK_OPTIONS = ("job-bookmark-enable", "job-bookmark-disable", "job-bookmark-pause")


@dataclass(frozen=True)
class Arg:
    """One job argument: ``--name`` (dashes allowed), required or with a default."""

    name: str
    required: bool = False
    default: str | None = None
    help: str = ""
    choices: tuple[str, ...] | None = None

    @property
    def key(self) -> str:
        return self.name.replace("-", "_")


#: Arguments every job takes (Glue's names where Glue has one).
COMMON_ARGS: tuple[Arg, ...] = (
    Arg("JOB_NAME", help="job name; keys the bookmark state (default: the job's own name)"),
    Arg("job-bookmark-option", default="job-bookmark-disable", choices=BOOKMARK_OPTIONS,
        help="Glue's bookmark option"),
    Arg("job-bookmark-from", help="with job-bookmark-pause: run id to read from (needs --job-bookmark-to)"),
    Arg("job-bookmark-to", help="with job-bookmark-pause: run id to read up to (needs --job-bookmark-from)"),
    Arg("bookmark-store", help="bookmark state: a folder or s3://BUCKET/PREFIX"),
    Arg("summary-json", help="also write the run summary as JSON to this path"),
    Arg("run-id", help="run id (default: JOB_RUN_ID on Glue, else a new one)"),
    Arg("TempDir", help="temporary folder (Glue's --TempDir)"),
)

#: Arguments the AWS runtimes pass to every run; accepted, ignored.
PLATFORM_ARGS: tuple[str, ...] = (
    "JOB_ID", "JOB_RUN_ID", "SECURITY_CONFIGURATION", "encryption-type", "RedshiftTempDir", "job-language",
    "extra-py-files", "extra-jars", "extra-files", "additional-python-modules", "python-modules-installer-option",
    "conf", "spark-event-logs-path", "continuous-log-logGroup", "continuous-log-logStreamPrefix",
    "continuous-log-conversionPattern", "datalake-formats", "enable-data-lineage", "scriptLocation",
    "user-jars-first", "executor-cores", "write-shuffle-files-to-s3", "write-shuffle-spills-to-s3",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise JobArgumentError(f"{self.prog}: {message}")


def _flag(name: str) -> str:
    return "--" + name


HELP_FLAGS = ("-h", "--help")


def wants_help(argv: Sequence[str]) -> bool:
    """Whether ``argv`` asks for the job's help (``-h`` / ``--help``) instead of a run."""
    return any(token in HELP_FLAGS for token in argv)


def job_parser(
    job_args: Sequence[Arg], *, prog: str, description: str = "", common: bool = True
) -> argparse.ArgumentParser:
    """The parser of a job's arguments: its own, then the common ones; the platforms' own are accepted."""
    parser = _Parser(
        prog=prog, add_help=False, allow_abbrev=False, description=description,
        epilog="Arguments as in AWS Glue: --name value or --name=value. Exit code 0 on success, "
        "2 on bad arguments, 1 on any other failure (one line; --debug adds its traceback and Spark's log).",
    )
    seen = set()
    groups = [("job arguments", job_args), ("arguments of every job", COMMON_ARGS if common else ())]
    for title, declared in groups:
        group = parser.add_argument_group(title)
        for a in declared:
            if a.key in seen:
                continue
            seen.add(a.key)
            text = a.help + (" (required)" if a.required else "")
            if a.choices:
                text += f" (one of: {', '.join(a.choices)})"
            if a.default is not None:
                text += f" (default: {a.default})"
            group.add_argument(
                _flag(a.name), dest=a.key, required=a.required, default=a.default, help=text, choices=a.choices,
                metavar=a.key.upper(),
            )
    for name in PLATFORM_ARGS:
        if name.replace("-", "_") not in seen:
            parser.add_argument(_flag(name), dest="_ignored_" + name, nargs="?", help=argparse.SUPPRESS)
    return parser


def job_help(job_args: Sequence[Arg], *, prog: str, description: str = "", common: bool = True) -> str:
    """The job's ``--help`` text, generated from its :class:`Arg` specs."""
    return job_parser(job_args, prog=prog, description=description, common=common).format_help()


def parse_job_args(
    argv: Sequence[str], job_args: Sequence[Arg], *, prog: str, common: bool = True
) -> Mapping[str, str | None]:
    """Parse ``argv`` (without the program name) into a read-only mapping keyed like getResolvedOptions.

    Raises :class:`JobArgumentError` with a one-line message on a missing, unknown or invalid argument.
    """
    parser = job_parser(job_args, prog=prog, common=common)
    args, unknown = parser.parse_known_args(list(argv))
    # "--enable-x value": drop the value that follows an ignored --enable- flag.
    cleaned: list[str] = []
    skip = False
    for i, token in enumerate(unknown):
        if skip:
            skip = False
            continue
        if token.startswith("--enable-"):
            nxt = unknown[i + 1] if i + 1 < len(unknown) else None
            skip = nxt is not None and not nxt.startswith("--")
            continue
        cleaned.append(token)
    rest = cleaned
    if rest:
        raise JobArgumentError(f"{prog}: unrecognized arguments: {' '.join(rest)}")
    values = {k: v for k, v in vars(args).items() if not k.startswith("_ignored_")}
    if common and (values.get("job_bookmark_from") is None) != (values.get("job_bookmark_to") is None):
        raise JobArgumentError(f"{prog}: --job-bookmark-from and --job-bookmark-to must be given together")
    if common and values.get("job_bookmark_from") and values.get("job_bookmark_option") != "job-bookmark-pause":
        raise JobArgumentError(f"{prog}: --job-bookmark-from/--job-bookmark-to need --job-bookmark-option job-bookmark-pause")
    return MappingProxyType(values)
