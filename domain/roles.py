"""The people who act and the roles they act in; every event records both."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.errors import InvalidInput, NotPermitted, RuleBroken


class Role(StrEnum):
    """The roles of the resolution's people; each command names the roles that may issue it."""

    TREASURER = "treasurer"
    SECRETARY = "secretary"
    SUPERVISOR = "supervisor"
    LIAISON_OFFICER = "liaison_officer"
    UNION_REPRESENTATIVE = "union_representative"
    AUDITOR = "auditor"


@dataclass(frozen=True, slots=True)
class Actor:
    """A named person acting in a role."""

    person: str
    role: Role

    def __post_init__(self) -> None:
        if not self.person or not self.person.strip():
            raise InvalidInput("actor.person_missing", "every command must name the acting person")


def require_role(actor: Actor, *roles: Role, action: str) -> None:
    """Refuse ``action`` unless ``actor`` acts in one of ``roles``."""
    if actor.role not in roles:
        allowed = " or ".join(r.value for r in roles)
        raise NotPermitted(
            "role.not_permitted",
            f"{action} is done by a {allowed}; {actor.person} acts as {actor.role.value}",
        )


def require_other_person(actor: Actor, earlier: str, *, rule: str, action: str) -> None:
    """Refuse ``action`` when ``actor`` is the person who did the earlier step (two-person rule)."""
    if actor.person.strip().casefold() == earlier.strip().casefold():
        raise RuleBroken(rule, f"{action} must be done by someone other than {earlier}")
