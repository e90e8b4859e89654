"""Check planned requests against the AWS API models botocore ships, before anything is sent or printed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import botocore.session
from botocore.validate import ParamValidator

from dea_etl.deploy.calls import ApiCall
from dea_etl.deploy.config import DeployError


def request_errors(service: str, operation: str, params: dict[str, Any]) -> str:
    """botocore's report of what is wrong with ``params`` for ``operation`` ("" when valid)."""
    model = botocore.session.get_session().get_service_model(service)
    report = ParamValidator().validate(params, model.operation_model(operation).input_shape)
    return str(report.generate_report()) if report.has_errors() else ""


def validate(calls: Iterable[ApiCall]) -> None:
    """Raise :class:`DeployError` naming the first request that does not fit its API."""
    for call in calls:
        params = {**call.params, "Body": b""} if call.body is not None else call.params
        errors = request_errors(call.service, call.operation, params)
        if errors:
            raise DeployError(f"{call.service} {call.operation} ({call.summary}): {' '.join(errors.split())}")
