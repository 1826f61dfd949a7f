"""Nodes to fuzz: each kind served by uvicorn on loopback, with a user per role and their tokens."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, Response
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.schemas import BaseSchema

from domain.roles import Role
from federation.api.app import create_app
from federation.api.users import UserBook
from federation.settings import NodeKind, Settings
from federation.sync.peers import new_token
from tests.support.peers import grant_feed
from tests.support.servers import serving

# The two checks the federation promises: never a server error, always the documented shape.
CHECKS = [not_a_server_error, response_schema_conformance]
NODE_IDS = {
    NodeKind.COMMITTEE: "US",
    NodeKind.INTERNATIONAL: "INTL",
    NodeKind.LIAISON: "RU-LIAISON",
}


@dataclass(frozen=True, slots=True)
class FuzzedNode:
    """A served node, its schema and a real API token per role."""

    base: str
    schema: BaseSchema
    tokens: list[str]  # a peer's (for the federation feed), then one per role


@contextmanager
def fuzzed_node(kind: NodeKind, folder: Path) -> Iterator[FuzzedNode]:
    """A production-mode node of ``kind`` (declared-actor headers are not believed there)."""
    node_id = NODE_IDS[kind]
    data_dir = folder / node_id
    settings = Settings(
        node_id=node_id, kind=kind, data_dir=data_dir, database="sqlite", follow=False
    )
    users = UserBook(data_dir)
    tokens = [grant_feed(data_dir, "FUZZ-PEER")]
    for role in Role:
        tokens.append(new_token())
        users.add(f"fuzz-{role.value}", f"Fuzzing {role.value}", role, None, tokens[-1])
    with serving(create_app(settings)) as base:
        schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
        yield FuzzedNode(base, schema, tokens)


def call_as_permitted(node: FuzzedNode, case: schemathesis.Case[Any]) -> Response:
    """Call ``case`` with each token until one is accepted and permitted; validate every answer.

    A token refused (401: a user's token at the feed) or a role refused (403) are valid answers
    too, but trying the others reaches the commands.
    """
    response: Response | None = None
    for token in node.tokens:
        response = case.call(node.base, headers={"Authorization": f"Bearer {token}"})
        case.validate_response(response, checks=CHECKS)
        if response.status_code not in (401, 403):
            break
    assert response is not None
    return response


# FUZZ_EXAMPLES raises the examples per operation for a long run (the README gives figures).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))


@dataclass
class FuzzReport:
    """What a run tried and what broke, per operation."""

    operations: int = 0
    calls: int = 0
    seconds: float = 0.0
    failures: dict[str, str] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)

    def summary(self) -> str:
        lines = [f"{label}: {error}" for label, error in self.failures.items()]
        return f"{len(self.failures)} operation(s) failed:\n" + "\n".join(lines)


def fuzz_every_operation(node: FuzzedNode) -> FuzzReport:
    """Every operation, valid and invalid inputs, ``EXAMPLES`` each; collect every failure."""
    report = FuzzReport()
    started = time.monotonic()
    for result in node.schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an invalid one has no ok(): it fails the test
        report.operations += 1
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=cases)
        def fuzz(case: schemathesis.Case[Any]) -> None:
            report.calls += 1
            report.statuses[call_as_permitted(node, case).status_code] += 1

        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as error:  # one must not hide the others
            report.failures[operation.label] = _first_lines(error)
    report.seconds = time.monotonic() - started
    return report


def _first_lines(error: BaseException) -> str:
    """The failure's name and its reproducing request, without the server's traceback."""
    lines = [line.strip(" |") for line in str(error).splitlines() if line.strip(" |")]
    keep = [line for line in lines if line.startswith(("- ", "[", "curl"))]
    text = f"{type(error).__name__}: " + " / ".join(keep or lines[:3])
    inner = getattr(error, "exceptions", ())  # a group (flaky, several failures): say what
    return (text + "".join(f" <{_first_lines(e)}>" for e in inner))[:3000]
