"""Schemathesis on the OPC UA routes: generated requests, valid and invalid, get documented
answers (status, content type, body, headers), and a browse of a real server answers exactly
the documented proposal schema. (tests/api/test_schema_fuzz.py runs the same checks on every
route; this runs them here with more examples, next to a server.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup

from openkamp.api import create_app
from openkamp.platform import Platform

from .conftest import SimServer

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]  # fmt: skip


@pytest.fixture
def app(kamp: Platform) -> Iterator[tuple[Any, dict[str, str]]]:
    kim = kamp.accounts.create_first_admin(kamp.default_org_id, "kim", "correct horse battery")
    token = kamp.accounts.create_token(kamp.accounts.principal_of(kim), "t", ["admin"])[1]
    application = create_app(platform=kamp)
    with TestClient(application):
        yield application, {"Authorization": f"Bearer {token}"}


def test_opcua_routes_answer_as_documented(app: tuple[Any, dict[str, str]], sim: SimServer) -> None:
    application, auth = app
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", application)
    failures: dict[str, str] = {}
    seen = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if "/connections/opcua/" not in operation.path:
            continue
        seen += 1
        label = f"{operation.method.upper()} {operation.path}"
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @given(case=cases)
        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck),
                  derandomize=True, database=None)  # fmt: skip
        def check(case: Any) -> None:
            try:
                case.call_and_validate(headers=auth, checks=CHECKS)
            except FailureGroup as exc:
                failures.setdefault(label, str(exc)[:1500])  # noqa: B023

        check()
        if operation.path.endswith("/browse"):  # a real server: the 200 answer's schema
            case = operation.Case(body={"endpoint": sim.endpoint})
            response = case.call_and_validate(headers=auth, checks=CHECKS)
            assert response.status_code == 200
    assert seen == 2
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
