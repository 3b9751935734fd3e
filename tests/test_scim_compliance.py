"""Chorus's SCIM service passes scim2-tester (python-scim's RFC 7643/7644 compliance checker)
run against `chorus serve` on 127.0.0.1, the way an identity provider reaches it.

Every check that applies passes. The ones that do not apply are skipped by scim2-tester itself
from what /ServiceProviderConfig says (truthfully) or from what the server answers, and are
listed here with the reason, so that a new skip fails this test until someone looks at it:
- search_with_attributes: POST /.search (several resource types at once) answers 501, which
  RFC 7644 §3.4.3 allows; the configuration has no attribute to announce it.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import TMP_ROOT, signup
from tests.stack import Stack
from tests.test_scim import scim_token

httpx2 = pytest.importorskip("httpx2")
from scim2_client.engines.httpx2 import SyncSCIMClient  # noqa: E402
from scim2_tester import Status, check_server  # noqa: E402

# (check title, what its reason starts with) → why it does not apply to Chorus
NOT_APPLICABLE = {
    ("search_with_attributes", "POST /.search: searching several resource types at once"): (
        "POST /.search answers 501: Chorus searches one resource type at a time"
    ),
}
FAILED = {Status.ERROR, Status.CRITICAL}


def run_checks(base_url: str, token: str) -> list[Any]:
    http = httpx2.Client(
        base_url=f"{base_url}/scim/v2", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    with http:
        return check_server(SyncSCIMClient(http))


@pytest.fixture
async def stack(tmp_path: Path) -> Any:
    stack = Stack(os.environ.copy(), api_processes=1, log_dir=TMP_ROOT / tmp_path.name)
    # resources' meta.location and $ref point where the checker reaches the server
    stack.env["CHORUS_PUBLIC_URL"] = stack.base_url
    await asyncio.to_thread(stack.start_api)
    try:
        yield stack
    finally:
        await asyncio.to_thread(stack.stop)


async def test_scim2_tester_finds_every_applicable_check_passing(client, stack):
    admin = await signup(client, org="Compliance Inc")
    token = await scim_token(client, admin)

    results = await asyncio.to_thread(run_checks, stack.base_url, token)

    failures = [r for r in results if r.status in FAILED]
    skipped = [r for r in results if r.status == Status.SKIPPED]
    unexplained = [
        r
        for r in skipped
        if not any(
            r.title == title and (r.reason or "").startswith(reason)
            for title, reason in NOT_APPLICABLE
        )
    ]
    summary = Counter(r.status.name for r in results)
    print(f"scim2-tester: {dict(summary)}")  # shown with -s: what ran, in one line
    for r in skipped:
        print(f"  skipped {r.resource_type or '-'} {r.title}: {r.reason}")
    assert not failures, (
        "\n".join(f"{r.resource_type or '-'} {r.title}: {r.reason}" for r in failures)
        + f"\n{summary}\n{stack.log('api.log')[-3000:]}"
    )
    assert not unexplained, [(r.title, r.reason) for r in unexplained]
    assert summary[Status.SUCCESS.name] >= 40, summary  # the checks did run
