"""Deterministic identifiers from natural keys, so that a retried command finds what it created."""

from __future__ import annotations

from uuid import UUID, uuid5

# The namespace of every id the federation derives; fixed forever.
AIDFED_NAMESPACE = UUID("6f1d3c52-6a55-5e0b-9d0e-1922c0de1922")


def derive_id(kind: str, *key: str) -> UUID:
    """The id of the ``kind`` thing with natural key ``key`` (stable across nodes and retries)."""
    return uuid5(AIDFED_NAMESPACE, "/".join((kind, *key)))
