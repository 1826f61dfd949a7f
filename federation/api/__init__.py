"""The node's HTTP API (FastAPI): one app factory, thin routers, errors mapped in one place."""
