"""The HTTP API: one FastAPI application over the service layer (STYLE rules 1, 10, 11).

``create_app(settings)`` builds it; nothing connects at import time. Every route acts as a
principal (an API token or a browser session) and calls one service method; domain errors become
HTTP status codes only here (:mod:`openkamp.api.errors`).
"""

from openkamp.api.app import create_app

__all__ = ["create_app"]
