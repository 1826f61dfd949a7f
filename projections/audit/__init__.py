"""Audit replay, the pure parts: which events a replay as of a moment includes, and the report's
figures. Reading bundles and writing the throw-away read model live in ``federation.audit``."""
