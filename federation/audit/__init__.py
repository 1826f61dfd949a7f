"""Audit: bundles of every node's signed history, verified offline and replayed to any point."""
