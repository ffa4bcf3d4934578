"""Health: the one route that needs no principal (load balancers and monitors call it)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter

from openkamp import __version__
from openkamp.api.deps import Kamp
from openkamp.api.records import Answer

router = APIRouter(tags=["health"])


class Storage(Answer):
    """The storage engines' kinds (class names)."""

    metadata: str
    timeseries: str
    files: str


class Health(Answer):
    status: Literal["ok"]
    version: str
    storage: Storage


@router.get("/health", response_model=Health)
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
