"""A bundle taken from a running International over HTTP, by an auditor's token, is the same
history as the data folder's: it verifies offline and covers every node to the same size."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.roles import Role
from federation.api.app import create_app
from federation.api.users import UserBook
from federation.audit.bundle import read_bundle
from federation.audit.verify import verify_bundle
from federation.settings import NodeKind, Settings
from tests.integration.audit.history import History
from tests.support.servers import serving


@pytest.fixture(scope="module")
def served(history: History) -> Iterator[str]:
    users = UserBook(history.folder)
    users.add("auditor", "Rosa Leviné", Role.AUDITOR, None, "tok-auditor-1923")
    users.add("treasurer", "Hugo Eberlein", Role.TREASURER, None, "tok-treasurer-1923")
    settings = Settings(
        node_id="INTL",
        kind=NodeKind.INTERNATIONAL,
        data_dir=history.folder,
        mode="test",
        follow=False,
    )
    with serving(create_app(settings)) as base:
        yield base


def export(base: str, token: str, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "federation", "audit", "export", "--url", base,
         "--token", token, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip


def test_an_auditor_exports_from_the_running_international(
    history: History, served: str, tmp_path: Path
) -> None:
    out = tmp_path / "intl.aidfed.gz"
    run = export(served, "tok-auditor-1923", out)
    assert run.returncode == 0, run.stdout + run.stderr
    manifest, _ = read_bundle(out)
    sizes = {n["node"]: int(n["size"]) for n in manifest.nodes}
    # Nothing was recorded since the data folder's export: the same sizes, node for node.
    assert sizes == history.sizes
    report = verify_bundle(out)
    assert report.ok, report.faults
    assert report.nodes["INTL"]["cosignatures"] >= 1


def test_a_treasurer_is_refused_the_bundle_and_nothing_is_written(
    served: str, tmp_path: Path
) -> None:
    out = tmp_path / "intl.aidfed.gz"
    run = export(served, "tok-treasurer-1923", out)
    assert run.returncode == 2
    assert "403" in run.stdout
    assert not out.exists()
    assert not out.with_name(out.name + ".part").exists()
