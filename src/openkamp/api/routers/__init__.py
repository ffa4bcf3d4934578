"""One router per resource; each route is one service call plus translation."""

from openkamp.api.routers import assets, data, health, imports, jobs, models

ROUTERS = [health.router, assets.router, data.router, imports.router, models.router, jobs.router]

__all__ = ["ROUTERS"]
