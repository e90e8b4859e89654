"""Check a JSON value against a shape of AWS Glue's service model as botocore ships it (types, required and
unknown members, enums, lengths, patterns, numeric ranges), so a test can prove that what dea-etl writes is
what Glue's API returns."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import botocore.session
from botocore.model import Shape


@cache
def glue_shape(name: str) -> Shape:
    return botocore.session.get_session().get_service_model("glue").shape_for(name)


def _python_regex(java: str) -> str:
    """A model pattern for Python's re: Java writes the supplementary planes as a surrogate-pair range."""
    return java.replace("\\uD800\\uDC00-\\uDBFF\\uDFFF", "\\U00010000-\\U0010FFFF")


def _string(value: object, shape: Shape, path: str) -> list[str]:
    if not isinstance(value, str):
        return [f"{path}: {value!r} is not a string"]
    meta, out = shape.metadata, []
    if shape.enum and value not in shape.enum:
        out.append(f"{path}: {value!r} is not one of {shape.enum}")
    if len(value) < meta.get("min", 0) or len(value) > meta.get("max", len(value)):
        out.append(f"{path}: length {len(value)} outside [{meta.get('min')}, {meta.get('max')}]")
    if "pattern" in meta and not re.fullmatch(_python_regex(meta["pattern"]), value):
        out.append(f"{path}: {value!r} does not match {meta['pattern']}")
    return out


def _number(value: object, shape: Shape, path: str) -> list[str]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return [f"{path}: {value!r} is not a number"]
    meta = shape.metadata
    if value < meta.get("min", value) or value > meta.get("max", value):
        return [f"{path}: {value} outside [{meta.get('min')}, {meta.get('max')}]"]
    return []


def problems(value: Any, shape: Shape, path: str = "$") -> list[str]:
    """Everything in ``value`` that does not fit ``shape`` (empty: it fits)."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: not an object"]
        members = shape.members  # type: ignore[attr-defined]
        out = [f"{path}: unknown member {k!r}" for k in value if k not in members]
        out += [f"{path}: missing {k!r}" for k in shape.required_members if k not in value]  # type: ignore[attr-defined]
        for k, v in value.items():
            if k in members:
                out += problems(v, members[k], f"{path}.{k}")
        return out
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: not a list"]
        return [p for i, v in enumerate(value) for p in problems(v, shape.member, f"{path}[{i}]")]  # type: ignore[attr-defined]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: not an object"]
        return [p for k, v in value.items()
                for p in problems(k, shape.key, f"{path} key") + problems(v, shape.value, f"{path}[{k!r}]")]  # type: ignore[attr-defined]
    if kind == "string":
        return _string(value, shape, path)
    if kind in ("double", "float", "integer", "long", "timestamp"):
        return _number(value, shape, path)  # a timestamp as on Glue's JSON wire: epoch seconds
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: not a boolean"]
    return [f"{path}: shape type {kind} not checked"]
