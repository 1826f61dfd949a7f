"""The log level setting: 'info' logs a line per request, 'warning' keeps only what goes wrong."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from federation.api.app import create_app
from federation.settings import Settings
from tests.support.servers import serving


@pytest.mark.parametrize(("level", "lines"), [("info", 1), ("warning", 0)])
def test_requests_are_logged_at_info_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], level: str, lines: int
) -> None:
    settings = Settings(node_id="US", data_dir=tmp_path / "US", mode="test", log_level=level)
    with serving(create_app(settings)) as base:
        capsys.readouterr()
        assert httpx.get(f"{base}/v1/node", timeout=30).status_code == 200
    logged = [
        json.loads(line)
        for line in capsys.readouterr().err.splitlines()
        if line.startswith("{") and '"path": "/v1/node"' in line
    ]
    assert len(logged) == lines
    assert all(line["status"] == 200 and line["node"] == "US" for line in logged)
