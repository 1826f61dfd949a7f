"""Node settings from the environment (AIDFED_*) or a .env file, through pydantic-settings."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit
from uuid import uuid4

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class NodeKind(StrEnum):
    """The three kinds of node."""

    COMMITTEE = "committee"
    INTERNATIONAL = "international"
    LIAISON = "liaison"


class Settings(BaseSettings):
    """Everything a node needs to start; built once by the composition root."""

    model_config = SettingsConfigDict(env_prefix="AIDFED_", env_file=".env", extra="ignore")

    node_id: str = Field(default="DE", description="node id: a country code, INTL or RU-LIAISON")
    kind: NodeKind = NodeKind.COMMITTEE
    name: str = "Komitee Arbeiterhilfe Deutschland"
    data_dir: Path = Field(default=Path("data/DE"), description="the node's own folder")
    database: str = Field(
        default="sqlite",
        description="'sqlite' (a file in data_dir), 'memory', or a postgresql:// URL",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    mode: Literal["production", "demo", "test"] = "production"
    international_node: str = Field(default="INTL", description="the International's node id")
    liaison_node: str = Field(default="RU-LIAISON", description="the liaison's node id")
    follow: bool = Field(default=True, description="follow the upstreams in peers.json")
    feed_open: bool = Field(
        default=False, description="serve the federation feed without peer tokens (tests only)"
    )
    tls_certfile: Path | None = Field(default=None, description="serve HTTPS with this cert")
    tls_keyfile: Path | None = None
    tls_ca: Path | None = Field(default=None, description="CA bundle to verify peers' HTTPS")
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", description="'info' logs every request; 'warning' only what goes wrong"
    )

    @property
    def log_origin(self) -> str:
        """The origin line of this node's checkpoints (C2SP tlog-checkpoint)."""
        return f"aidfed.example/{self.node_id}"

    @field_validator("node_id")
    @classmethod
    def _node_id(cls, value: str) -> str:
        value = value.strip().upper()
        if not value or not all(ch.isalnum() or ch == "-" for ch in value):
            raise ValueError("node_id is letters, digits and '-' only, e.g. DE or RU-LIAISON")
        return value

    @field_validator("database")
    @classmethod
    def _database(cls, value: str) -> str:
        if value not in ("sqlite", "memory") and not value.startswith(
            ("postgresql://", "postgres://")
        ):
            raise ValueError("database is 'sqlite', 'memory' or a postgresql:// URL")
        return value

    @model_validator(mode="after")
    def _secure_outside_tests(self) -> Settings:
        # Insecure conveniences are refused outside the demo and the tests.
        if self.mode == "production" and self.feed_open:
            raise ValueError("feed_open serves the federation feed to anyone: not in production")
        if self.mode == "production" and self.database == "memory":
            raise ValueError("an in-memory database loses everything at exit: not in production")
        return self

    def eventsourcing_env(self) -> dict[str, str]:
        """The eventsourcing environment for this node's application."""
        if self.database in ("sqlite", "memory"):
            # A fresh name each time: two in-memory nodes never share a database by accident.
            name = (
                f"file:{self.node_id}-{uuid4().hex}?mode=memory&cache=shared"
                if self.database == "memory"
                else str(self.data_dir / "events.sqlite")
            )
            return {
                "PERSISTENCE_MODULE": "federation.persistence.sqlite:NodeSQLiteFactory",
                "SQLITE_DBNAME": name,
                "SQLITE_LOCK_TIMEOUT": "10",
                "APPLICATION_RECORDER_TOPIC": (
                    "federation.persistence.sqlite:LoggedSQLiteApplicationRecorder"
                ),
            }
        url = urlsplit(self.database)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": url.path.lstrip("/"),
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            "POSTGRES_POOL_SIZE": "8",
            "POSTGRES_MAX_OVERFLOW": "8",
            # How long to wait for a connection. eventsourcing tries a read or write 10 times:
            # a restart of a second or two is bridged, a longer outage is answered 503 after
            # ~20 s (with the library's 30 s default a request would hang for five minutes).
            "POSTGRES_CONNECT_TIMEOUT": "2",
            "APPLICATION_RECORDER_TOPIC": (
                "federation.persistence.postgres:LoggedPostgresApplicationRecorder"
            ),
        }
