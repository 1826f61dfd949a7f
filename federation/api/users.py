"""The people who may act on a node: named users with a role, a password and an API token.

Kept in ``users.json`` in the node's data folder, readable only by its owner. Passwords are
hashed with Argon2 (argon2-cffi); API tokens are kept only as SHA-256 digests.
"""

from __future__ import annotations

import hmac
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.errors import InvalidInput
from domain.roles import Actor, Role
from federation.sync.peers import digest

USERS_FILE = "users.json"
_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class User:
    """Someone who logs in: their username, the person they are, their role."""

    username: str
    person: str
    role: str
    password_hash: str | None = None
    token_digest: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(self.person, Role(self.role))

    def public(self) -> dict[str, str]:
        """What may be shown: never a hash."""
        return {"username": self.username, "person": self.person, "role": self.role}


class UserBook:
    """The users of one node."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / USERS_FILE

    def all(self) -> list[User]:
        if not self.path.exists():
            return []
        return [User(**row) for row in json.loads(self.path.read_text(encoding="utf-8"))]

    def add(
        self, username: str, person: str, role: Role, password: str | None, token: str | None
    ) -> User:
        """Add or replace a user."""
        if not username.strip() or not person.strip():
            raise InvalidInput("user.invalid", "a user needs a username and the person's name")
        if password is not None and len(password) < 8:
            raise InvalidInput("user.weak_password", "a password has at least 8 characters")
        user = User(
            username.strip(),
            person.strip(),
            Role(role).value,
            _hasher.hash(password) if password else None,
            digest(token) if token else None,
        )
        self._write([*(u for u in self.all() if u.username != user.username), user])
        return user

    def by_token(self, token: str) -> User | None:
        """The user whose API token this is."""
        presented = digest(token)
        return next(
            (
                u
                for u in self.all()
                if u.token_digest and hmac.compare_digest(u.token_digest, presented)
            ),
            None,
        )

    def by_password(self, username: str, password: str) -> User | None:
        """The user, if the password is theirs."""
        user = next((u for u in self.all() if u.username == username), None)
        if user is None or user.password_hash is None:
            _hasher.hash(password)  # same work either way: no timing hint that the user exists
            return None
        try:
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        return user

    def _write(self, users: list[User]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump([asdict(u) for u in users], handle, indent=2)
        temporary.replace(self.path)
