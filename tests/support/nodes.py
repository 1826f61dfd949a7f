"""Settings of nodes for tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from federation.settings import NodeKind, Settings


def lone_international(folder: Path, **extra: Any) -> Settings:
    """An International in ``folder``/INTL (SQLite, test mode) following nobody; ``extra``
    overrides any setting."""
    values: dict[str, Any] = {
        "node_id": "INTL",
        "kind": NodeKind.INTERNATIONAL,
        "data_dir": folder / "INTL",
        "mode": "test",
        "follow": False,
    }
    return Settings(**(values | extra))
