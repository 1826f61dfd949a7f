"""A node's logs, read from the process's own output: one JSON line per request with who, what
and how long — and never a token or a password, wherever the caller put them."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.peers import bearer
from tests.support.processes import NodeProcess, environment

TOKEN = "tok-5ae1e7c0-very-secret"
PASSWORD = "Rosa-Luxemburg-1919-secret"
WRONG_PASSWORD = "not-the-password-secret"


@pytest.fixture
def intl(tmp_path: Path) -> Iterator[NodeProcess]:
    node = NodeProcess("INTL", "international", tmp_path, env={"AIDFED_MODE": "demo"})
    subprocess.run(node.init_command(), check=True, capture_output=True, env=environment(node.env))
    node.cli(
        *("user", "add", "--username", "muenzenberg", "--person", "Willi Münzenberg"),
        *("--role", "supervisor", "--password", PASSWORD, "--token", TOKEN),
    )
    node.start()
    try:
        yield node
    finally:
        if node.running:
            node.stop()


def lines(node: NodeProcess) -> list[dict[str, Any]]:
    out = []
    for line in node.log_path.read_text(encoding="utf-8").splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def test_requests_are_logged_as_json_lines_without_secrets(intl: NodeProcess) -> None:
    with httpx.Client(base_url=intl.url, timeout=30) as http:
        answer = http.get(
            "/v1/recognitions", headers=bearer(TOKEN) | {"X-Request-ID": "ledger-check-7"}
        )
        assert answer.status_code == 200
        assert answer.headers["X-Request-ID"] == "ledger-check-7"
        command = http.post(
            "/v1/rates",
            headers=bearer(TOKEN),
            json={
                "currency": "XPM",
                "reporting_currency": "USD",
                "rate": "0.0030",
                "value_date": "1922-01-01",
                "source": "Berlin exchange",
            },
        )
        assert command.status_code == 201, command.text
        # Secrets where they should never be: in the query string, a wrong token, a form.
        assert http.get("/v1/rates", params={"token": TOKEN}).status_code == 401
        assert http.get("/v1/rates", headers=bearer(TOKEN + "x")).status_code == 401
        form = {"username": "muenzenberg", "password": WRONG_PASSWORD}
        assert http.post("/login", data=form).status_code == 401
        login = http.post("/login", data=form | {"password": PASSWORD})
        assert login.status_code == 303
        assert http.get("/dashboard").status_code == 200
    intl.stop()

    text = intl.log_path.read_text(encoding="utf-8")
    for secret in (TOKEN, PASSWORD, WRONG_PASSWORD, login.cookies["aidfed_session"]):
        assert secret not in text
    logged = [line for line in lines(intl) if line["logger"] == "federation.requests"]
    by_path = {(line["method"], line["path"], line["status"]): line for line in logged}

    read = by_path[("GET", "/v1/recognitions", 200)]
    assert read["request_id"] == "ledger-check-7"
    assert (read["node"], read["actor"], read["role"]) == ("INTL", "Willi Münzenberg", "supervisor")
    assert read["duration_ms"] >= 0
    assert read["level"] == "info"
    rate = by_path[("POST", "/v1/rates", 201)]
    assert rate["actor"] == "Willi Münzenberg"
    assert len(rate["request_id"]) == 32
    assert by_path[("GET", "/v1/rates", 401)]["actor"] is None
    assert by_path[("POST", "/login", 401)]["actor"] is None
    assert by_path[("GET", "/dashboard", 200)]["actor"] == "Willi Münzenberg"
    assert all(set(line) >= {"time", "request_id", "method", "path", "status"} for line in logged)
