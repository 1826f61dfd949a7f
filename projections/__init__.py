"""Read models built from events: pure functions from events to row operations."""
