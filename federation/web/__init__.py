"""The supervisors' dashboard: server-rendered pages at the International's node."""
