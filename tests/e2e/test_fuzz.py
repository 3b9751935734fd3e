"""schemathesis over every documented operation, as each role, against the real server: no
answer is a 5xx and every documented answer matches its schema. (In tests/e2e/ for the real
HTTP server the browser tests already run; no browser is involved.)"""

from __future__ import annotations

import asyncio
from typing import Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.helpers import add_member, create_challenge, create_team, signup

EXAMPLES_PER_OPERATION = 8
SKIP = {("GET", "/api/v1/events")}  # a stream that never ends by design: tested in test_live


def fuzz(base_url: str, tokens: dict[str, str]) -> tuple[int, list[str]]:
    """Run in a thread: the server answers on the test's event loop meanwhile."""
    schema = schemathesis.openapi.from_url(f"{base_url}/schema/openapi.json")
    tried: list[int] = []
    failures: list[str] = []

    def checker(operation: Any, headers: dict[str, str]) -> Any:
        @hypothesis.given(case=operation.as_strategy())
        @hypothesis.settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
        def check(case: Any) -> None:
            response = case.call(base_url=base_url, headers=headers, timeout=15)
            tried.append(response.status_code)
            try:
                case.validate_response(
                    response, checks=[not_a_server_error, response_schema_conformance]
                )
            except (Exception, BaseExceptionGroup) as exc:  # all collected, reported together
                headline = str(exc).splitlines()[1:3] if "\n" in str(exc) else [str(exc)]
                failures.append(f"{case.method} {operation.path}: {' '.join(headline)}"[:300])

        return check

    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIP:
            continue
        for token in tokens.values():
            checker(operation, {"Authorization": f"Bearer {token}"} if token else {})()
    return len(tried), sorted(set(failures))


async def test_no_operation_fails_or_breaks_its_schema_for_any_role(
    client: Any, base_url: str
) -> None:
    admin = await signup(client, org="Fuzzed Inc")
    lead = await add_member(client, admin)
    await create_team(client, admin, "Fuzz team", lead_user_id=lead.user_id)
    employee = await add_member(client, admin)
    await create_challenge(client, admin)
    tokens = {"anonymous": "", "employee": employee.token, "lead": lead.token, "admin": admin.token}
    tried, failures = await asyncio.to_thread(fuzz, base_url, tokens)
    assert tried > 1000, tried
    assert failures == [], "\n".join(failures[:20])
