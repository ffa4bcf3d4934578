"""Connections of the organisation (MQTT, OPC UA, Modbus, HTTP ingest …): configure, start,
stop, watch. Engineers change them, viewers read them; secret settings come back masked."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from openkamp.api.deps import Kamp, Me
from openkamp.api.errors import request_lang, responses
from openkamp.api.records import Answer, IsoTime, Timestamp

router = APIRouter(prefix="/connections", tags=["connections"])

State = Literal["stopped", "connecting", "running", "retrying"]


class ConnectionStatus(Answer):
    """A connection at work: its state and live counters (saved ones while it is stopped)."""

    state: State
    points: int = Field(description="Points stored since the connection was made")
    batches: int
    points_per_s: float = Field(description="Points stored per second, the last ten seconds")
    rejected: dict[str, int] = Field(description="Bad input left out, by reason")
    rejected_total: int
    samples: dict[str, str] = Field(description="One example per rejection reason")
    notes: dict[str, int] = Field(
        default_factory=dict, description="Events that are not errors, by kind (e.g. backfilled)"
    )
    restarts: int = Field(description="Times the connector failed and was started again")
    last_value_at: IsoTime | None = Field(description="Time of the newest point stored")
    last_write_at: IsoTime | None = Field(description="When the last points became durable")
    last_error: str | None
    last_error_at: IsoTime | None
    buffer_fill: float = Field(description="Share of the platform's live buffer in use (0–1)")
    buffer_points: int = Field(description="Points accepted and not yet durable")


class ConnectionStatusAnswer(ConnectionStatus):
    id: int
    name: str


class Connection(Answer):
    id: int
    name: str
    kind: str
    config: dict[str, Any] = Field(description="The kind's settings; secrets as ********")
    enabled: bool = Field(description="Runs, and resumes after a restart")
    created_by: str
    created_at: Timestamp
    updated_at: Timestamp
    status: ConnectionStatus


class ConnectorKind(Answer):
    kind: str
    title: str = Field(description="The kind's name, in the request's language")
    config_schema: dict[str, Any] = Field(description="JSON Schema of the kind's settings")
    secrets: list[str] = Field(description="Settings that are never shown back")


class ConnectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128)
    kind: str = Field(min_length=1, max_length=32)
    config: dict[str, Any] = Field(default_factory=dict)
    enabled: bool = True


class ConnectionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=128)
    config: dict[str, Any] | None = Field(
        default=None, description="All settings; a secret sent back as ******** is kept"
    )
    enabled: bool | None = None


@router.get("", response_model=list[Connection])
def connections_list(kamp: Kamp, me: Me) -> list[dict[str, Any]]:
    return kamp.connections.list(me)


@router.get("/kinds", response_model=list[ConnectorKind])
def connections_kinds(request: Request, kamp: Kamp, me: Me) -> list[dict[str, Any]]:
    """The installed connector kinds (built-in and plugins) with their settings' schema."""
    from openkamp.connectors.base import secret_fields

    lang = request_lang(request)
    return [
        {
            "kind": kind,
            "title": cls.title.get(lang) or cls.title.get("en") or kind,
            "config_schema": cls.Config.model_json_schema(),
            "secrets": secret_fields(cls.Config),
        }
        for kind, cls in sorted(kamp.connections.kinds().items())
    ]


@router.post("", status_code=201, response_model=Connection, responses=responses(409))
def connections_create(body: ConnectionCreate, kamp: Kamp, me: Me) -> dict[str, Any]:
    """A new connection; an enabled one starts at once."""
    return kamp.connections.create(me, body.name, body.kind, body.config, enabled=body.enabled)


@router.get("/{connection_id}", response_model=Connection)
def connections_get(connection_id: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    return kamp.connections.get(me, connection_id)


@router.patch("/{connection_id}", response_model=Connection, responses=responses(409))
def connections_update(
    connection_id: int, body: ConnectionUpdate, kamp: Kamp, me: Me
) -> dict[str, Any]:
    """Rename, change settings, enable or disable; a running connection restarts with them."""
    return kamp.connections.update(
        me, connection_id, name=body.name, config=body.config, enabled=body.enabled
    )


@router.delete("/{connection_id}", status_code=204)
def connections_delete(connection_id: int, kamp: Kamp, me: Me) -> Response:
    """Stop and delete a connection (the data it brought stays)."""
    kamp.connections.delete(me, connection_id)
    return Response(status_code=204)


@router.post("/{connection_id}/start", response_model=Connection)
def connections_start(connection_id: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    """Enable and run the connection (it also resumes after a restart)."""
    return kamp.connections.start(me, connection_id)


@router.post("/{connection_id}/stop", response_model=Connection)
def connections_stop(connection_id: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    """Stop the connection and keep it stopped (also after a restart)."""
    return kamp.connections.stop(me, connection_id)


@router.get("/{connection_id}/status", response_model=ConnectionStatusAnswer)
def connections_status(connection_id: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    """State, points per second, last value time, last error, buffer fill, rejections."""
    return kamp.connections.status(me, connection_id)
