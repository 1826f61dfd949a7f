"""Readable people and values for the tests' stories of 1922."""

from __future__ import annotations

from datetime import date

from domain.roles import Actor, Role
from federation.node.base import Context

SECRETARY = Context(Actor("Caleb Harrison", Role.SECRETARY))
TREASURER = Context(Actor("Alfred Wagenknecht", Role.TREASURER))
SECOND_TREASURER = Context(Actor("Rose Karsner", Role.TREASURER))
SUPERVISOR = Context(Actor("Willi Münzenberg", Role.SUPERVISOR))

FOUNDED = date(1921, 8, 9)
CAMPAIGN = "famine-relief-1922"
