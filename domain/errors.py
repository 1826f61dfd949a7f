"""Domain errors: every refusal names the rule it enforces with a stable, machine-readable code."""

from __future__ import annotations


class DomainError(Exception):
    """A command was refused; ``code`` is stable and documented, ``message`` is for people."""

    kind = "domain"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class RuleBroken(DomainError):
    """The command would break a rule of the domain (HTTP 409)."""

    kind = "rule"


class InvalidInput(DomainError):
    """The command's input is malformed or out of range (HTTP 422)."""

    kind = "input"


class NotFound(DomainError):
    """The command refers to something this node does not know (HTTP 404)."""

    kind = "not_found"


class NotPermitted(DomainError):
    """The acting person's role may not do this (HTTP 403)."""

    kind = "permission"


class DecisionMissing(RuleBroken):
    """The command needs another node's decision that has not reached this node yet (HTTP 409)."""

    kind = "decision_missing"
