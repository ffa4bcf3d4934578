"""The application factory: ``create_app(settings)`` (STYLE rule 1)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute

from openkamp import __version__
from openkamp.api import aas_repository, errors, headers, openapi
from openkamp.api.routers import ROUTERS, health, ingest, ingest_elsewhere
from openkamp.platform import Platform
from openkamp.settings import Settings
from openkamp.workers.roles import RoleRuntime

API_PREFIX = "/api/v1"


def operation_id(route: APIRoute) -> str:
    """Stable operation ids: the route function's name (``assets_list``, ``models_train``…)."""
    return route.name


def create_app(settings: Settings | None = None, *, platform: Platform | None = None) -> FastAPI:
    """The OpenKAMP web application (API and, when installed, the web UI).

    With ``platform`` the app uses it and leaves it open; otherwise it opens a platform from
    ``settings`` when it starts and closes it when it stops.
    """
    settings = settings or (platform.settings if platform is not None else Settings())
    settings.check_safe()

    role = settings.role
    if role == "jobs":
        raise ValueError("a job worker serves no HTTP: openkamp serve --role jobs runs without it")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = None
        if getattr(app.state, "platform", None) is None:
            owned = app.state.platform = Platform(settings)
        # Everything loaded so far (libraries, the platform) lives as long as the server: keep it
        # out of the collector's generations, so full collections stay short under load.
        gc.collect()
        gc.freeze()
        # What this process runs for its role: connections, live rules, retention, the contract
        # sweep; beside other worker processes, under leases (openkamp.workers.roles).
        runtime = RoleRuntime(app.state.platform, role)
        runtime.start()
        try:
            yield
        finally:
            runtime.stop()
            if owned is not None:
                owned.close()
                app.state.platform = None

    app = FastAPI(
        title="OpenKAMP",
        version=__version__,
        description="Open AI manufacturing platform / 오픈 제조 AI 플랫폼",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served from the package by headers.install (offline)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.platform = platform
    errors.install(app)
    headers.install(app, API_PREFIX)
    if role == "ingest":  # an ingest worker: its health and the HTTP ingest routes only
        for router in (health.router, ingest.router):
            app.include_router(router, prefix=API_PREFIX)
        openapi.install(app)
        return app
    for router in ROUTERS:
        if role == "api" and router is ingest.router:
            continue
        app.include_router(router, prefix=API_PREFIX)
    if role == "api":
        app.include_router(ingest_elsewhere.router, prefix=API_PREFIX)
    aas_repository.install(app)  # the AAS Part 2 repository, /api/aas/v3.0 (its own shapes)
    openapi.install(app)
    try:
        from openkamp.web import install as install_web
    except ImportError:  # the UI comes as its own package
        pass
    else:
        install_web(app)
    return app
