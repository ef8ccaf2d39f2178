"""schemathesis against the OpenAPI schema: no 5xx, and every answer matches the schema.

Needs `schemathesis` (not a project dependency yet); skipped without it.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.web.conftest import World  # noqa: E402

pytestmark = pytest.mark.slow
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


def test_the_api_answers_every_generated_request_without_a_server_error(
    app: FastAPI, world: World
) -> None:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    headers = {"Authorization": f"Bearer {world.tokens['ana']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def check(case: Any) -> None:
            # Business rules (a duplicate network name, a closed action) rightly answer 422 to
            # schema-valid input, so the "positive data accepted" check is not one of ours.
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
