"""One router per resource; each route is one service call plus translation."""

from openkamp.api.routers import (
    alerts,
    assets,
    auth,
    connections,
    data,
    datasets,
    explore,
    health,
    imports,
    ingest,
    jobs,
    live,
    models,
    opcua,
    retention,
    sharing,
    sharing_contracts,
    sharing_ledger,
    sharing_pooled,
    simulator,
    users,
)

ROUTERS = [
    health.router, auth.router, users.router, assets.router, data.router, datasets.router,
    imports.router, models.router, jobs.router, alerts.router,
    explore.router, opcua.router, connections.router, ingest.router, retention.router,
    live.router, simulator.router, sharing.router, sharing_contracts.router,
    sharing_ledger.router, sharing_pooled.router,
]  # fmt: skip

__all__ = ["ROUTERS"]
