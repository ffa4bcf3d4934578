"""OPC UA servers: browse one and propose its asset tree and mapping, then apply the accepted
(possibly edited) proposal as assets and an ``opcua`` connection. Engineers only; browsing
stores nothing."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from openkamp.api.deps import Kamp, Me
from openkamp.api.errors import responses
from openkamp.api.records import Answer
from openkamp.api.routers.connections import Connection
from openkamp.connectors.opcua import SecurityMode, SecurityPolicy
from openkamp.connectors.opcua_browse import Proposal, apply, browse
from openkamp.core.errors import InvalidInput
from openkamp.core.tenancy import Role, require

router = APIRouter(prefix="/connections/opcua", tags=["connections"])

Password = Annotated[
    str,
    Field(max_length=256),
    WithJsonSchema({"type": "string", "format": "password", "writeOnly": True, "maxLength": 256}),
]
#: A private key (PEM): never answered back.
PrivateKey = Annotated[
    str,
    Field(max_length=20_000),
    WithJsonSchema(
        {"type": "string", "format": "password", "writeOnly": True, "maxLength": 20_000}
    ),
]
Certificate = Annotated[str, Field(max_length=20_000)]


class _Security(BaseModel):
    """The channel's security (as in the opcua connection's config)."""

    security_policy: SecurityPolicy = "None"
    security_mode: SecurityMode = "None"
    client_certificate: Certificate = Field(
        "", description="Client certificate (PEM); empty: a self-signed one"
    )
    client_private_key: PrivateKey = ""
    client_key_password: Password = ""
    server_certificate: Certificate = Field(
        "", description="The server's certificate (PEM): accept no other"
    )


class OpcUaServer(_Security):
    """Where the server is, how to sign in and secure the channel."""

    model_config = ConfigDict(extra="forbid")

    endpoint: str = Field(
        pattern=r"^opc\.tcp://[^\s/]+(/\S*)?$",
        max_length=500,
        description="Endpoint URL, e.g. opc.tcp://192.168.0.10:4840/",
    )
    username: str = Field("", max_length=256, description="Login; empty: anonymous")
    password: Password = ""
    timeout_s: float = Field(10.0, gt=0, le=30, description="Seconds to wait for each answer")


class OpcUaSettings(_Security):
    """The new connection's settings besides the endpoint and the mapping."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field("", max_length=256)
    password: Password = ""
    publishing_interval_ms: float = Field(1000.0, gt=0, le=3_600_000)
    sampling_interval_ms: float = Field(0.0, ge=0, le=3_600_000)
    queue_size: int = Field(10, ge=1, le=100_000)
    backfill: bool = Field(True, description="Read the gap after a disconnect from history")


class OpcUaApply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128, description="Name of the new connection")
    proposal: Proposal = Field(description="The proposal of browse, edited: selected, names")
    settings: OpcUaSettings = Field(default_factory=OpcUaSettings)
    enabled: bool = True


class OpcUaApplied(Answer):
    connection: Connection
    created: int = Field(description="Assets created (sites, lines, equipment, signals)")
    updated: int = Field(description="Existing assets whose names or texts changed")
    unchanged: int
    signals: int = Field(description="Variables mapped to signals")


@router.post("/browse", response_model=Proposal, responses=responses(403))
async def opcua_browse(body: OpcUaServer, me: Me) -> Proposal:
    """Browse the server's address space and propose sites, lines, equipment and signals with
    units and ranges (nothing is stored), over a secured channel where asked. A server that
    cannot be reached, refuses the login or the certificate, or does not offer the security
    asked answers 422 with the reason (code opcua.no_server, opcua.login_refused,
    opcua.timeout, opcua.security_unsupported, opcua.certificate_refused …)."""
    require(me, Role.ENGINEER)
    try:
        return await asyncio.wait_for(
            browse(
                body.endpoint, username=body.username, password=body.password,
                security_policy=body.security_policy, security_mode=body.security_mode,
                client_certificate=body.client_certificate,
                client_private_key=body.client_private_key,
                client_key_password=body.client_key_password,
                server_certificate=body.server_certificate, timeout_s=body.timeout_s,
            ),
            timeout=body.timeout_s * 6,
        )  # fmt: skip
    except TimeoutError as exc:
        raise InvalidInput(
            f"Cannot browse the OPC UA server {body.endpoint}: it did not answer in time.",
            code="opcua.timeout",
            params={"endpoint": body.endpoint, "reason": "the server did not answer in time"},
        ) from exc


@router.post("/apply", status_code=201, response_model=OpcUaApplied, responses=responses(403, 409))
def opcua_apply(body: OpcUaApply, kamp: Kamp, me: Me) -> dict[str, Any]:
    """Create the selected assets (engineers) and a connection mapping every selected variable
    to its signal; an enabled connection starts at once."""
    done = apply(
        kamp, me, body.proposal, name=body.name,
        settings=body.settings.model_dump(), enabled=body.enabled,
    )  # fmt: skip
    return {
        "connection": done.connection, "created": done.created, "updated": done.updated,
        "unchanged": done.unchanged, "signals": done.signals,
    }  # fmt: skip
