"""File rules: DQDL rules about files themselves (local folders and S3), as the AWS DQDL reference defines them.

- ``FileFreshness "path" > (now() - 24 hours)`` (or ``between``, a date ``"2024-01-01"`` = that day 00:00 UTC,
  a time of day ``"21:45"`` / ``"9:30 AM"`` = today at that time, UTC or ``with timeZone = "<IANA zone>"``):
  each file's last-modified time satisfies the condition (``between`` takes its bounds in either order, as
  the reference's ``between now() and (now() - 45 minutes)``); ``Dataset.*.FileFreshness.Compliance`` = files
  that do / files; passes when all do, or when ``with threshold`` holds for the compliance.
- ``FileSize "path" > 1 MB`` (B, KB, MB, GB, TB; 1 KB = 1024 B, as AWS's DQDL parser converts them; a plain
  whole number is bytes): the same on each file's size (``Dataset.*.FileSize.Compliance``), with
  ``Dataset.*.MinimumFileSize`` and ``Dataset.*.MaximumFileSize`` in bytes.
- ``FileUniqueness "path" > 0.5``: distinct contents (SHA-256) / files (``Dataset.*.FileUniquenessRatio``);
  ``with matchFileName = "true"``: files with the same name (last path segment) are duplicates too.
- ``FileMatch "path" in ["<checksum>", ...] [with hashAlgorithm = "MD5" | "SHA-1" | "SHA-256"]``: every
  file's checksum (default SHA-256) is in the list (``= "<checksum>"``: is that one); ``FileMatch "a" "b"``:
  the files under ``a`` and under ``b`` have the same contents (the same checksums, as many of each).

Every file rule reports ``Dataset.*.FileCount`` and takes the reference's file tags: ``with recentFiles = N``
(only the N most recently modified files), ``with uriRegex = "<regex>"`` (only files whose path matches;
a pattern that matches an empty path, like the reference's negative lookahead ``"(?!.*\\.tmp$).*"``, must
match from the path's start, any other anywhere: ``"\\.csv$"``), ``with filterOrder = ["uriRegex",
"recentFiles"]`` (default: recentFiles, then uriRegex). A path (a file or a folder, listed recursively;
hidden ``_``/``.`` files skipped) is only read when it lies under one of the evaluation's allowed file roots
(the lake, the input the command was given): a ruleset cannot make dea-etl read other files. A path
outside, missing or empty, or no file left by the tags, fails the rule with the reason.

Without a path (``FileUniqueness > 0.5``, ``FileFreshness > (now() - 1 days)``, ``FileMatch in [...]``) a
rule checks the files the evaluated DataFrame was read from, as Glue infers them: Spark's
``DataFrame.inputFiles()`` (the CSV files given to ``dea-etl dq --input``, the Parquet files of a table's
current version, an Iceberg table's data files). As in Glue, only files read into the DataFrame count; a
DataFrame built in memory has none, and the rule fails saying so.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlparse

from dea_etl.errors import InputError
from dea_etl.io import files, storage
from dea_etl.quality import times
from dea_etl.quality.context import Context, Outcome, Prepared, RuleError
from dea_etl.quality.model import Condition, DateExpr, Op, Rule
from dea_etl.quality.registry import FILE_TAGS, Signature, rule_type

SIZE_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}
HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256"}
DEFAULT_HASH = "SHA-256"
COUNT = "Dataset.*.FileCount"
DEFAULT_ORDER = ("recentFiles", "uriRegex")


def _normal(path: str) -> str:
    parsed = urlparse(path)
    if parsed.scheme in ("s3", "s3a", "s3n"):
        return f"s3://{parsed.netloc}/{os.path.normpath('/' + parsed.path).lstrip('/')}".rstrip("/")
    local = parsed.path if parsed.scheme == "file" else path
    return os.path.realpath(local)


def allowed(path: str, roots: Sequence[str]) -> bool:
    """Whether ``path`` is one of ``roots`` or under one (``..`` and links resolved first)."""
    target = _normal(path)
    for root in roots:
        base = _normal(root)
        if target == base or target.startswith(base.rstrip("/") + "/"):
            return True
    return False


def _source_files(ctx: Context) -> list[files.FileInfo]:
    """The files the evaluated DataFrame was read from (see the module doc)."""
    paths = sorted(ctx.df.inputFiles())
    if not paths:
        raise RuleError("the data was not read from files (no path given, and none to infer)")
    found: list[files.FileInfo] = []
    for path in paths:
        try:
            found += files.list_files(ctx.df.sparkSession, path)
        except InputError as exc:
            raise RuleError(str(exc)) from None
    return found


def uri_matches(pattern: str, path: str) -> bool:
    """``with uriRegex``: found anywhere in the path, or from its start for a pattern that matches an empty
    path (a lone lookahead would otherwise match at the end of every path)."""
    regex = re.compile(pattern)
    return (regex.match(path) if regex.fullmatch("") else regex.search(path)) is not None


def _filtered(rule: Rule, listed: list[files.FileInfo]) -> list[files.FileInfo]:
    order = dict(rule.options).get("filterOrder") or DEFAULT_ORDER
    for tag in order:
        value = rule.option(tag)
        if value is None:
            continue
        if tag == "recentFiles":
            listed = sorted(listed, key=lambda f: (-f.modified_ms, f.path))[: int(value)]
        else:
            listed = [f for f in listed if uri_matches(value, f.path)]
    if not listed:
        raise RuleError("no file left to check after " + ", ".join(t for t in order if rule.option(t) is not None))
    return sorted(listed, key=lambda f: f.path)


def _target(ctx: Context, rule: Rule, index: int = 0) -> list[files.FileInfo]:
    """The files a rule checks: those under its path parameter, or the DataFrame's own without one, then
    its file tags (module doc)."""
    listed = _listed(ctx, rule.params[index]) if len(rule.params) > index else _source_files(ctx)
    return _filtered(rule, listed)


def _listed(ctx: Context, path: str) -> list[files.FileInfo]:
    if not allowed(path, ctx.file_roots):
        raise RuleError(f"{path} is outside the files this evaluation may read ({', '.join(ctx.file_roots) or 'none'})")
    try:
        found = files.list_files(ctx.df.sparkSession, path)
    except InputError as exc:
        raise RuleError(str(exc)) from None
    if not found:
        raise RuleError(f"no files under {path}")
    return found


def checksum(path: str, algorithm: str = DEFAULT_HASH) -> str:
    """The hex digest of a local file or an S3 object (read in chunks)."""
    digest = hashlib.new(HASHES[algorithm])
    parsed = urlparse(path)
    if storage.is_s3(path):
        bucket, key = storage.split_s3(path)
        body = storage.s3_client().get_object(Bucket=bucket, Key=key)["Body"]
        for chunk in iter(lambda: body.read(1 << 20), b""):
            digest.update(chunk)
        return digest.hexdigest()
    with open(parsed.path if parsed.scheme == "file" else path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _epoch(value: object, now: datetime, zone: str | None) -> float:
    if isinstance(value, DateExpr):
        return now.timestamp() + value.offset_seconds
    if isinstance(value, str):
        try:
            return times.moment(value, now, zone).timestamp()
        except ValueError as exc:
            raise RuleError(str(exc)) from None
    if isinstance(value, float):
        return value
    raise RuleError(f"FileFreshness compares with dates, got {value!r}")


def _compliance(rule: Rule, listed: list[files.FileInfo], measure: list[float], cond: Condition,
                metric: str) -> Outcome:
    ok = sum(cond.holds(m) for m in measure)
    ratio = ok / len(listed)
    metrics = {metric: ratio, COUNT: float(len(listed))}
    passed = rule.threshold.holds(ratio) if rule.threshold is not None else ok == len(listed)
    reason = None if passed else f"{len(listed) - ok} of {len(listed)} files do not meet the condition"
    return Outcome(passed, reason, metrics)


def _done(outcome: Outcome) -> Prepared:
    return Prepared(lambda _values: outcome)


@rule_type("FileFreshness", Signature(0, 1, "required", "date", threshold=True, where=False,
                                       tags=FILE_TAGS | {"timeZone"}))
def file_freshness(rule: Rule, ctx: Context) -> Prepared:
    assert rule.condition is not None
    listed = _target(ctx, rule)
    now = datetime.now(UTC)
    moments = tuple(_epoch(v, now, rule.option("timeZone")) for v in rule.condition.values)
    if rule.condition.op is Op.BETWEEN:  # bounds in either order: between now() and (now() - 45 minutes)
        moments = (min(moments), max(moments))
    cond = Condition(rule.condition.op, moments, rule.condition.negated)
    mtimes = [f.modified_ms / 1000 for f in listed]
    return _done(_compliance(rule, listed, mtimes, cond, "Dataset.*.FileFreshness.Compliance"))


@rule_type("FileSize", Signature(0, 1, "required", "size", threshold=True, where=False, tags=FILE_TAGS))
def file_size(rule: Rule, ctx: Context) -> Prepared:
    assert rule.condition is not None
    listed = _target(ctx, rule)
    sizes = [float(f.size) for f in listed]
    outcome = _compliance(rule, listed, sizes, rule.condition, "Dataset.*.FileSize.Compliance")
    extremes = {"Dataset.*.MaximumFileSize": max(sizes), "Dataset.*.MinimumFileSize": min(sizes)}
    return _done(Outcome(outcome.passed, outcome.reason, {**outcome.metrics, **extremes}))


def _groups(keys: list[tuple[str, str]]) -> int:
    """Files that share a contents or (with matchFileName) a name are one group: how many groups."""
    parent = list(range(len(keys)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for part in (0, 1):
        first: dict[str, int] = {}
        for i, key in enumerate(keys):
            if key[part] in first:
                parent[root(i)] = root(first[key[part]])
            else:
                first[key[part]] = i
    return len({root(i) for i in range(len(keys))})


@rule_type("FileUniqueness", Signature(0, 1, "required", where=False, tags=FILE_TAGS | {"matchFileName"}))
def file_uniqueness(rule: Rule, ctx: Context) -> Prepared:
    assert rule.condition is not None
    listed = _target(ctx, rule)
    by_name = rule.option("matchFileName") == "true"
    keys = [(checksum(f.path), f.path.rstrip("/").rsplit("/", 1)[-1] if by_name else f.path) for f in listed]
    ratio = _groups(keys) / len(listed)
    metrics = {"Dataset.*.FileUniquenessRatio": ratio, COUNT: float(len(listed))}
    passed = rule.condition.holds(ratio)
    return _done(Outcome(passed, None if passed else f"Value: {ratio:.6g} does not meet the constraint requirement.",
                         metrics))


def _algorithm(rule: Rule) -> str:
    name = rule.option("hashAlgorithm") or DEFAULT_HASH
    if name not in HASHES:
        raise RuleError(f"hashAlgorithm must be one of {', '.join(HASHES)}, got {name!r}")
    return name


@rule_type("FileMatch", Signature(0, 2, "required", "checksum", where=False, tags=FILE_TAGS | {"hashAlgorithm"},
                                   no_condition_with=2))
def file_match(rule: Rule, ctx: Context) -> Prepared:
    algorithm = _algorithm(rule)
    listed = _target(ctx, rule)
    sums = Counter(checksum(f.path, algorithm) for f in listed)
    metrics = {COUNT: float(len(listed))}
    if len(rule.params) == 2:
        other = Counter(checksum(f.path, algorithm) for f in _target(ctx, rule, 1))
        passed = sums == other
        reason = f"the files under {rule.params[0]} and {rule.params[1]} differ"
    else:
        if rule.condition is None or rule.condition.op not in (Op.IN, Op.EQ):
            raise RuleError('FileMatch compares with checksums: in ["<checksum>", ...], or with another path')
        wanted = {str(v).lower() for v in rule.condition.values}
        bad = sum(n for s, n in sums.items() if s not in wanted)
        passed = (bad == 0) != rule.condition.negated
        reason = f"{bad} of {len(listed)} files match none of the {algorithm} checksums"
    return _done(Outcome(passed, None if passed else reason, metrics))
