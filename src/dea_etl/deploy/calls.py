"""An AWS API request as data: printed by ``--dry-run``, executed by :mod:`dea_etl.deploy.apply`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ApiCall:
    """``service`` is the boto3 client name, ``operation`` the AWS API name (``CreateJob``)."""

    service: str
    operation: str
    params: dict[str, Any]
    #: For PutObject: the local file that becomes ``Body``.
    body: Path | None = None
    #: What the call does, in words, for the log.
    summary: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        params = dict(self.params)
        if self.body is not None:
            params["Body"] = f"<contents of {self.body}>"
        return {"service": self.service, "operation": self.operation, "request": params}
