"""Persistence: recorders that also number the signed log, and the node's own SQL."""
