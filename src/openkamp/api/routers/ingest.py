"""HTTP ingest: machine data posted with an API token (``write`` scope), answered 2xx only once
it is durable. Formats and forms: :mod:`openkamp.connectors.http`.

Every route reads the body (gzip allowed) into a spooled temporary file, stopping past
``ingest_max_bytes`` (413), then reads it a piece at a time in a worker thread, writing
through the live buffer; the answer counts every point read as stored or rejected, by reason.
"""

from __future__ import annotations

import tempfile
import zlib
from typing import IO, Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import Field

from openkamp.api.deps import Kamp, Me, get_platform
from openkamp.api.errors import responses
from openkamp.api.records import Answer
from openkamp.connectors.http import HttpConfig, HttpConnector, Ingest
from openkamp.core.errors import Conflict, InvalidInput, TooLarge, Unauthenticated
from openkamp.core.tenancy import Principal, Role, Scope, require, require_scope
from openkamp.core.uploads import size_text
from openkamp.platform import Platform

router = APIRouter(prefix="/ingest", tags=["ingest"])

SPOOL_MEMORY = 8 * 1024 * 1024  # bodies up to this stay in memory, larger ones go to disk

Precision = Literal["ns", "us", "ms", "s"]


class IngestAnswer(Answer):
    """What the request did; ``received == stored + rejected`` and the reasons add up."""

    received: int = Field(description="Points read from the body")
    stored: int = Field(
        description="Points durable in the store (a point sent again is stored once)"
    )
    rejected: int = Field(description="Points left out")
    reasons: dict[str, int] = Field(description="Points left out, by reason")
    samples: dict[str, str] = Field(description="One example per reason")


def _body(media_type: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {media_type: {"schema": schema}}}}


EquipmentQ = Annotated[
    str,
    Query(max_length=400, description="Equipment (site/line/equipment) of points naming none"),
]
ConnectionQ = Annotated[
    str,
    Query(max_length=128, description="An http connection whose settings and counters to use"),
]


async def _spool(request: Request, limit: int) -> IO[bytes]:
    """The request body (gunzipped) in a spooled temporary file, refused past ``limit``."""
    error = TooLarge(
        f"The body is too large: at most {size_text(limit)} per request.",
        hint="Send the data in several requests.",
        code="ingest.too_large",
        params={"limit": size_text(limit)},
    )
    declared = request.headers.get("content-length", "")
    encoding = request.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity", "gzip"):
        raise InvalidInput(
            f"Unsupported Content-Encoding {encoding!r}: send plain or gzip.",
            code="ingest.encoding",
            params={"encoding": encoding[:40]},
        )
    if encoding != "gzip" and declared.isdecimal() and int(declared) > limit:
        raise error
    inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS) if encoding == "gzip" else None
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)  # noqa: SIM115 - returned
    size = 0
    try:
        async for chunk in request.stream():
            if inflate is not None:
                try:
                    chunk = inflate.decompress(chunk, limit + 1 - size)
                except zlib.error as exc:
                    raise InvalidInput(
                        "The body is not valid gzip.", code="ingest.gzip", params={}
                    ) from exc
                if inflate.unconsumed_tail:
                    raise error
            size += len(chunk)
            if size > limit:
                raise error
            spool.write(chunk)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool


def _ingest(
    kamp: Platform,
    me: Principal,
    fmt: str,
    body: IO[bytes],
    *,
    equipment: str,
    precision: str | None,
    connection: str,
) -> dict[str, Any]:
    """Read a spooled body into the store (in a worker thread): the request's one service call."""
    require(me, Role.ENGINEER)
    config, counters = None, None
    if connection:
        rec = kamp.connections.find(me, connection)
        if rec is None or rec["kind"] != HttpConnector.kind:
            raise InvalidInput(
                f"No http connection named {connection!r}.",
                code="ingest.no_connection",
                params={"name": connection},
            )
        if kamp.live.running and not kamp.live.is_running(rec["id"]):
            raise Conflict(
                f"The connection {connection!r} is stopped: start it to accept its data.",
                code="ingest.stopped",
                params={"name": connection},
            )
        config = HttpConfig.model_validate(dict(rec.get("config") or {}))
        counters = kamp.live.counters(rec)
    with body:
        job = Ingest(
            org_id=me.org_id,
            names=kamp.live.names(me.org_id),
            sink=kamp.live.sink,
            tz=kamp.settings.tz,
            precision=precision,
            equipment=equipment,
            config=config,
            counters=counters,
            max_future_s=kamp.settings.ingest_max_future_s,
        )
        getattr(job, fmt)(body)
        return job.finish().as_dict()


async def _handle(
    request: Request,
    kamp: Platform,
    me: Principal,
    fmt: str,
    *,
    equipment: str = "",
    precision: str | None = None,
    connection: str = "",
) -> dict[str, Any]:
    require(me, Role.ENGINEER)  # before reading a byte of the body
    body = await _spool(request, int(kamp.settings.ingest_max_bytes))
    return await run_in_threadpool(
        _ingest, kamp, me, fmt, body,
        equipment=equipment, precision=precision, connection=connection,
    )  # fmt: skip


_ERRORS = responses(404, 409, 413)


@router.post(
    "/json",
    response_model=IngestAnswer,
    responses=_ERRORS,
    openapi_extra=_body("application/json", {}),
)
async def ingest_json(
    request: Request,
    kamp: Kamp,
    me: Me,
    equipment: EquipmentQ = "",
    precision: Precision | None = None,
    connection: ConnectionQ = "",
) -> dict[str, Any]:
    """Points as JSON: one point, a list or ``{"points": […]}``, one time with many
    ``values``, or the compact ``{"t0", "dt", "s"}`` form. Numeric times are in ``precision``
    (without it: seconds to nanoseconds, told by magnitude)."""
    return await _handle(
        request, kamp, me, "json", equipment=equipment, precision=precision, connection=connection
    )


@router.post(
    "/csv",
    response_model=IngestAnswer,
    responses=_ERRORS,
    openapi_extra=_body("text/csv", {"type": "string"}),
)
async def ingest_csv(
    request: Request,
    kamp: Kamp,
    me: Me,
    equipment: EquipmentQ = "",
    precision: Precision | None = None,
    connection: ConnectionQ = "",
) -> dict[str, Any]:
    """CSV (UTF-8): a time column and one column per signal, or the columns ``signal`` and
    ``value`` (and ``equipment``)."""
    return await _handle(
        request, kamp, me, "csv", equipment=equipment, precision=precision, connection=connection
    )


@router.post(
    "/arrow",
    response_model=IngestAnswer,
    responses=_ERRORS,
    # Described as octet-stream (what generic clients send); the Content-Type is not checked,
    # so application/vnd.apache.arrow.stream is as welcome.
    openapi_extra=_body("application/octet-stream", {"type": "string", "format": "binary"}),
)
async def ingest_arrow(
    request: Request,
    kamp: Kamp,
    me: Me,
    equipment: EquipmentQ = "",
    precision: Precision | None = None,
    connection: ConnectionQ = "",
) -> dict[str, Any]:
    """An Arrow IPC stream with ``ts``, ``value`` and ``signal_id`` (or ``signal`` names and
    ``equipment``), read one record batch at a time."""
    return await _handle(
        request, kamp, me, "arrow", equipment=equipment, precision=precision, connection=connection
    )


@router.post(
    "/influx",
    response_model=IngestAnswer,
    responses=_ERRORS,
    openapi_extra=_body("text/plain", {"type": "string"}),
)
async def ingest_influx(
    request: Request,
    kamp: Kamp,
    me: Me,
    equipment: EquipmentQ = "",
    precision: Precision = "ns",
    connection: ConnectionQ = "",
) -> dict[str, Any]:
    """InfluxDB line protocol: the measurement names the equipment (or ``equipment``, or the
    connection's mapping), each field a signal; timestamps in ``precision``."""
    return await _handle(
        request, kamp, me, "line_protocol",
        equipment=equipment, precision=precision, connection=connection,
    )  # fmt: skip


async def influx_token(
    request: Request, kamp: Annotated[Platform, Depends(get_platform)]
) -> Principal:
    """The principal of InfluxDB 2's ``Authorization: Token okp_…`` (or ``Bearer``)."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() not in ("token", "bearer") or not secret.strip():
        raise Unauthenticated(
            "Send an API token: Authorization: Token okp_… .",
            hint='Set token = "okp_…" in Telegraf\'s outputs.influxdb_v2.',
        )
    principal = kamp.accounts.authenticate_token(secret.strip())
    require_scope(principal, Scope.WRITE)
    return principal


@router.post("/influx/api/v2/write", response_model=IngestAnswer, include_in_schema=False)
async def ingest_influx_v2(
    request: Request,
    kamp: Kamp,
    me: Annotated[Principal, Depends(influx_token)],
    org: str = "",
    bucket: str = "",
    precision: Precision = "ns",
    equipment: EquipmentQ = "",
    connection: ConnectionQ = "",
) -> dict[str, Any]:
    """InfluxDB 2's write API, as Telegraf's ``outputs.influxdb_v2`` sends it (URL
    ``…/api/v1/ingest/influx``): ``bucket`` names an http connection when there is one of
    that name; ``org`` is ignored (the token's organisation is used)."""
    if not connection and bucket and kamp.connections.find(me, bucket) is not None:
        connection = bucket
    return await _handle(
        request, kamp, me, "line_protocol",
        equipment=equipment, precision=precision, connection=connection,
    )  # fmt: skip
