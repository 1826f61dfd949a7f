"""The replay report, written by ``aidfed audit replay`` and opened in Debian's Chromium."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from tests.e2e.browser.conftest import ARTIFACTS
from tests.integration.audit.history import History, build
from tests.support.processes import free_port


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    return build(tmp_path_factory.mktemp("history"))


def replay_cli(bundle: Path, out: Path, *options: str) -> dict[str, Any]:
    run = subprocess.run(
        [sys.executable, "-m", "federation", "audit", "replay", str(bundle), "--out", str(out),
         *options],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "state digest" in run.stdout
    report: dict[str, Any] = json.loads((out / "report.json").read_text())
    return report


def test_the_report_shows_the_covered_nodes_and_the_headline_figures(
    browser: Browser, history: History, tmp_path: Path
) -> None:
    report = replay_cli(history.bundle, tmp_path)
    assert report["digests"] == history.live_at_end
    page = browser.new_page()
    page.goto((tmp_path / "report.html").as_uri())
    covered = page.locator("#covered tbody tr")
    assert covered.count() == len(history.sizes)
    for node, size in history.sizes.items():
        row = covered.filter(has_text=node).first
        assert row.locator("td").nth(2).inner_text() == str(size)
    for live in history.live_currencies_at_end:
        table = page.locator(f"table.headline[data-currency={live['currency']}]")
        received = table.locator("tr", has_text="Received in cash").locator("td.num")
        assert received.inner_text() == f"{live['received']} {live['currency']}"
        transferred = table.locator("tr", has_text="Transferred").locator("td.num")
        assert transferred.inner_text() == f"{live['transferred']} {live['currency']}"
    assert page.locator("#state-digest").inner_text() == history.live_at_end["state"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "audit-replay-report.png"), full_page=True)
    page.close()


def test_a_replay_as_of_a_value_date_says_so_and_covers_less(
    history: History, tmp_path: Path
) -> None:
    report = replay_cli(history.bundle, tmp_path, "--as-of-value-date", "1922-03-31")
    assert report["moment"] == {"as_of_value_date": "1922-03-31", "as_known_at": None, "at": {}}
    included = sum(int(c["included"]) for c in report["covered"])
    assert included < sum(history.sizes.values())
    html = (tmp_path / "report.html").read_text()
    assert "1922-03-31" in html


def test_a_bad_moment_is_refused_and_nothing_is_written(history: History, tmp_path: Path) -> None:
    beyond = history.sizes["DE"] + 1
    for at, said in (
        ("DE=twelve", "NODE=SIZE"),
        ("XX=3", "XX is not a node of this bundle"),
        (f"DE={beyond}", f"DE={beyond} is beyond the {beyond - 1} entries of DE"),
    ):
        run = subprocess.run(
            [sys.executable, "-m", "federation", "audit", "replay", str(history.bundle),
             "--out", str(tmp_path / "r"), "--at", at],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )  # fmt: skip
        assert run.returncode == 2
        assert said in " ".join((run.stdout + run.stderr).replace("│", "").split())
        assert not (tmp_path / "r").exists()


def test_an_unknown_currency_or_an_unusable_database_is_refused_and_nothing_is_written(
    history: History, tmp_path: Path
) -> None:
    nowhere = f"postgresql://auditor@127.0.0.1:{free_port()}/replay"
    for option, said in (
        (("--reporting-currency", "XYZ"), "unknown currency 'XYZ'; use one of"),
        (("--database", nowhere), "the read model's database cannot be used"),
    ):
        run = subprocess.run(
            [sys.executable, "-m", "federation", "audit", "replay", str(history.bundle),
             "--out", str(tmp_path / "r"), *option],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )  # fmt: skip
        assert run.returncode == 2, run.stderr
        assert "Traceback" not in run.stdout + run.stderr
        assert said in " ".join((run.stdout + run.stderr).replace("│", "").split())
        assert not (tmp_path / "r").exists()
