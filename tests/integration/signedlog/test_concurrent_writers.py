"""Several writer threads and processes with deliberate rollbacks: positions stay dense 1..n in
commit order, every checkpoint any process signed is consistent, and the log verifies."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from federation.node.committee import CommitteeApplication
from federation.signedlog.entries import decode
from federation.signedlog.keys import read_verifier
from federation.signedlog.verify import verify
from federation.signedlog.verify_command import open_database
from tests.integration.signedlog._story import founded, settings
from tests.integration.signedlog._writer import write

ROUNDS = 12
WRITER = re.compile(rb"(thread|process)[0-9]")
PROCESSES = 2
THREADS = 2


def _spawn(database: str, data_dir: Path, name: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tests.integration.signedlog._writer"]
    return subprocess.Popen(
        [*command, database, str(data_dir), name, str(ROUNDS)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[3],
    )


def _threads(
    app: CommitteeApplication, counts: list[int], errors: list[BaseException]
) -> list[threading.Thread]:
    def run(name: str) -> None:
        try:
            counts.append(write(app, name, ROUNDS))
        except BaseException as error:
            errors.append(error)

    return [threading.Thread(target=run, args=(f"thread{n}",)) for n in range(THREADS)]


def _wait_until_ready(data_dir: Path, processes: list[subprocess.Popen[str]]) -> None:
    deadline = time.monotonic() + 60
    while len(list(data_dir.glob("ready-*"))) < len(processes):
        assert all(p.poll() is None for p in processes), "a writer process died"
        assert time.monotonic() < deadline, "the writer processes did not start"
        time.sleep(0.02)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return "sqlite"
    url: str = request.getfixturevalue("pg_url")
    return url


def _run_writers(app: CommitteeApplication, database: str, data_dir: Path) -> list[int]:
    processes = [_spawn(database, data_dir, f"process{n}") for n in range(PROCESSES)]
    counts: list[int] = []
    errors: list[BaseException] = []
    threads = _threads(app, counts, errors)
    _wait_until_ready(data_dir, processes)
    (data_dir / "go").touch()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for process in processes:
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 0
        counts.append(int(out.strip().splitlines()[-1]))
    assert not errors, errors
    return counts


def _writers_in_log_order(app: CommitteeApplication, size: int) -> list[str]:
    writers: list[str] = []
    for after in range(0, size, 1000):
        for item in app.signed_log.entries(after, 1000).entries:
            found = WRITER.search(decode(item.entry).state)
            if found:
                writers.append(found.group().decode())
    return writers


def test_positions_stay_dense_and_in_commit_order(database: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "US"
    app = CommitteeApplication(settings(database, data_dir))
    try:
        founded(app)
        app.signed_log.start(interval=0.1)
        expected = 2 + sum(_run_writers(app, database, data_dir))
        app.signed_log.stop()
        final = app.signed_log.checkpoint()
        rows = app.db.query("SELECT position, notification_id FROM log_positions ORDER BY position")
        events = app.db.scalar(f"SELECT COUNT(*) FROM {app.recorder.events_table_name}")  # type: ignore[attr-defined]
        writers = _writers_in_log_order(app, expected)
    finally:
        app.close()
    assert [row["position"] for row in rows] == list(range(1, expected + 1))
    ids = [int(row["notification_id"]) for row in rows]
    assert ids == sorted(set(ids)), "positions must follow the commit (notification id) order"
    assert int(events) == expected
    if database != "sqlite":
        assert ids[-1] > expected, "rollbacks should have left gaps in the notification ids"
    switches = sum(1 for a, b in itertools.pairwise(writers) if a != b)
    assert switches >= PROCESSES + THREADS, "the writers should have overlapped"
    assert f"\n{expected}\n" in final
    with open_database(None if database == "sqlite" else database, data_dir) as db:
        report = verify(db, read_verifier(data_dir))
    assert report.ok, report.problems
    assert report.size == expected
    assert report.checkpoints >= 4
