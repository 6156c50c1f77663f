"""The JSON API under /api/v1: one module per domain (schemas and routes only)."""
