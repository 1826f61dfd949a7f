"""schemathesis against the published OpenAPI of each kind of node: no server error, no answer
outside the schema. Bounded (examples per operation, no deadline) so it runs in CI.

Each node runs in production mode with real users and API tokens; every generated request is
sent with the token of each role in turn until one is permitted, so commands are reached.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from federation.settings import NodeKind
from tests.integration.hardening.fuzzing import fuzz_every_operation, fuzzed_node


@pytest.mark.parametrize("kind", list(NodeKind))
def test_no_server_error_and_no_answer_outside_the_schema(kind: NodeKind, tmp_path: Path) -> None:
    with fuzzed_node(kind, tmp_path) as node:
        report = fuzz_every_operation(node)
    print(f"{kind}: {report}")  # the figures the README quotes (pytest -s)
    assert report.failures == {}, report.summary()
    # The tokens are believed: most answers are past authentication, and some commands and
    # queries succeed (a run where every call was refused would prove nothing).
    assert report.operations >= 5
    assert report.statuses[401] == 0, report.statuses
    assert sum(n for status, n in report.statuses.items() if status < 300) >= report.operations
