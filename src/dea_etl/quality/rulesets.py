"""Ruleset files: DQDL text plus the gate mode, read from a path or from the rulesets dea_etl ships.

The shipped rulesets live in the package (``dea_etl/rules/<table>.dqdl``, linked as ``rules/`` at the
repository root), so a job on Glue or EMR finds them inside the library zip. A file's gate mode is
given by a header comment ``# mode: fail`` or ``# mode: quarantine`` (default: fail).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from dea_etl.errors import JobArgumentError, UnknownTableError

MODES = ("fail", "quarantine")
_MODE = re.compile(r"^\s*#\s*mode\s*:\s*(\S+)", re.MULTILINE)


@dataclass(frozen=True)
class RulesetFile:
    name: str
    text: str
    mode: str = "fail"


def ruleset_from_text(name: str, text: str) -> RulesetFile:
    m = _MODE.search(text)
    mode = m.group(1).lower() if m else "fail"
    if mode not in MODES:
        raise JobArgumentError(f"ruleset {name}: mode must be one of {', '.join(MODES)}, got {mode!r}")
    return RulesetFile(name, text, mode)


def packaged_tables() -> list[str]:
    """Tables that have a shipped ruleset."""
    folder = resources.files("dea_etl") / "rules"
    return sorted(e.name[: -len(".dqdl")] for e in folder.iterdir() if e.name.endswith(".dqdl"))


def packaged_ruleset(table: str) -> RulesetFile:
    """The shipped ruleset of ``table``; :class:`UnknownTableError` naming the tables that have one."""
    entry = resources.files("dea_etl") / "rules" / f"{table}.dqdl"
    if not entry.is_file():
        raise UnknownTableError(f"no ruleset for table {table!r}; rulesets: {', '.join(packaged_tables())}")
    return ruleset_from_text(table, entry.read_text(encoding="utf-8"))
