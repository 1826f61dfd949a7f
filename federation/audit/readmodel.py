"""The throw-away read model a replay writes: a fresh International in a temporary folder (a
SQLite file by default) or in an empty PostgreSQL database the auditor names."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from types import TracebackType

from federation.node.international import InternationalApplication
from federation.settings import NodeKind, Settings


class ReadModelError(ValueError):
    """The database given for the read model is not empty: a replay never writes over data."""


class ReadModel:
    """A throw-away International: its projections' tables, its queries, nothing served."""

    def __init__(self, international: str, database: str = "sqlite") -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="aidfed-replay-"))
        settings = Settings(
            node_id=international,
            kind=NodeKind.INTERNATIONAL,
            name=f"replay of {international}",
            data_dir=self.folder,
            database=database,
            mode="test",
            follow=False,
        )
        try:
            self.app = InternationalApplication(settings)
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        if self._holds_data():
            self.close()
            raise ReadModelError(
                "the read model's database already holds events or projections: "
                "give an empty database (a replay never writes over data)"
            )

    def _holds_data(self) -> bool:
        db = self.app.db
        entries = db.scalar("SELECT COUNT(*) FROM ingested_entries")
        positions = db.scalar("SELECT COUNT(*) FROM projection_positions")
        return bool(entries) or bool(positions) or bool(self.app.recorder.max_notification_id())

    def close(self) -> None:
        """Close the node and remove its folder (a PostgreSQL database keeps its rows)."""
        self.app.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> ReadModel:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
