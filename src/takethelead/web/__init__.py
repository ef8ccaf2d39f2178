"""Web app and JSON API (FastAPI)."""
