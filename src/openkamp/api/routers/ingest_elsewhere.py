"""What an API worker (``--role api``) answers on ``/api/v1/ingest``: where to send it instead.

HTTP ingest runs in ingest workers (``openkamp serve --role ingest``), with the alert engine on
the points that arrive there; a reverse proxy routes ``/api/v1/ingest/`` to them. A request that
reaches an API worker anyway gets a coded 404 saying so, not a bare "not found".
"""

from __future__ import annotations

from fastapi import APIRouter

from openkamp.core.errors import NotFound

router = APIRouter(prefix="/ingest", tags=["ingest"], include_in_schema=False)


@router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def ingest_elsewhere(rest: str) -> None:
    raise NotFound(
        "This process (the api role) does not take data in (/api/v1/ingest).",
        hint="Send it to an ingest worker (openkamp serve --role ingest); behind a reverse "
        "proxy, route /api/v1/ingest/ to the ingest workers.",
        code="workers.ingest_elsewhere",
    )
