"""The fault harness: seeded schedules of faults over real node processes, and their checker."""
