"""Health: the one route that needs no principal (load balancers and monitors call it)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from openkamp import __version__
from openkamp.api.deps import Kamp

router = APIRouter(tags=["health"])


@router.get("/health")
def health(kamp: Kamp) -> dict[str, Any]:
    """Whether the platform answers, and what it runs on (no data, no names)."""
    kamp.meta.list_orgs()  # touches the metadata store: a broken database fails here
    return {
        "status": "ok",
        "version": __version__,
        "storage": {
            "metadata": type(kamp.meta).__name__,
            "timeseries": type(kamp.ts).__name__,
            "files": type(kamp.files).__name__,
        },
    }
