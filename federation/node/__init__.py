"""Node applications: the eventsourcing Applications of each kind of node and their plumbing."""
