"""The recorded history the audit tests export, verify and replay (built once per run)."""

from __future__ import annotations

import pytest

from tests.integration.audit.history import History, build


@pytest.fixture(scope="session")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    return build(tmp_path_factory.mktemp("history"))
