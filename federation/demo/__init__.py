"""The demo: a whole federation on loopback with the 1922-23 scenario, seeded through the APIs."""
