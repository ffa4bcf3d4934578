"""Modbus TCP poller: registers read on a schedule, decoded by a register map, stored as points.

A ``modbus`` connection names one server (``host``, ``port``; a gateway's devices by ``unit_id``)
and a register map: one entry per signal with its table (``function``: ``holding`` or ``input``
registers, ``coil`` or ``discrete`` inputs), its 0-based ``address`` (what a client sends, not
the "40001" of a manual), its ``type`` (``int16``, ``uint16``, ``int32``, ``uint32``,
``float32``, ``float64``; bits read as 0 / 1), the order of its words and of the bytes in each
word, and ``value = raw / scale + offset``. The simulator's documented map
(:func:`openkamp.sim.live.modbus.register_map`) uses the same ``scale``;
:func:`registers_from_map` turns it into entries.

Word and byte order of a 32-bit value ``A B C D`` (``A`` most significant):

==========  ==========  =========  ================================================
word_order  byte_order  on wire    seen in
==========  ==========  =========  ================================================
big         big         ABCD       the Modbus specification's examples, most PLCs
little      big         CDAB       "word swapped": many meters and drives
big         little      BADC       "byte swapped"
little      little      DCBA       fully little-endian devices
==========  ==========  =========  ================================================

Polling: entries are grouped by unit, table and poll period; adjacent addresses (at most
``merge_gap`` unused registers apart) are read in one request of at most 125 registers (2000
bits), the protocol's limits, so a machine of fifty floats costs one round trip. Every block of
a poll carries the time its answer arrived (the midpoint of request and answer). A block that
the device refuses as "illegal data address" is split into single entries, so one wrong
address costs that signal only. Errors never end the connection: timeouts and exception answers
are counted per reason on the connection (``modbus.timeout``, ``modbus.illegal_address`` …),
an outage is noted once per lost connection (``modbus.outage``), a poll skipped for lack of
time too (``modbus.overrun``), and the connector reconnects with a growing, jittered delay
(:class:`~openkamp.connectors.base.Backoff`).
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from openkamp.connectors.base import (
    Backoff,
    Connector,
    ConnectorConfig,
    ConnectorContext,
    now_us,
    points_table,
)
from openkamp.core.errors import NotFound

Function = Literal["holding", "input", "coil", "discrete"]
ValueType = Literal["int16", "uint16", "int32", "uint32", "float32", "float64"]
Order = Literal["big", "little"]

#: Registers each type takes.
WIDTH: dict[str, int] = {
    "int16": 1, "uint16": 1, "int32": 2, "uint32": 2, "float32": 2, "float64": 4,
}  # fmt: skip
_STRUCT = {"int16": ">h", "uint16": ">H", "int32": ">i", "uint32": ">I",
           "float32": ">f", "float64": ">d"}  # fmt: skip
#: The protocol's largest read: 125 registers (functions 3, 4), 2000 bits (functions 1, 2).
MAX_REGISTERS = 125
MAX_BITS = 2000
#: Modbus exception codes → the reason they are counted under.
EXCEPTION_REASONS = {
    1: "modbus.illegal_function",
    2: "modbus.illegal_address",
    3: "modbus.illegal_value",
    4: "modbus.device_failure",
    6: "modbus.device_busy",
    10: "modbus.gateway_path",
    11: "modbus.gateway_target",
}
#: Timeouts in a row after which the connection is treated as lost and opened again.
TIMEOUTS_BEFORE_RECONNECT = 3


class ModbusRegister(BaseModel):
    """One signal in the register map."""

    model_config = ConfigDict(extra="forbid")

    signal: str = Field(min_length=1, description="Signal key (or display name)")
    equipment: str = Field("", description="Equipment key path; empty: the connection's equipment")
    address: int = Field(ge=0, le=65535, description="0-based register or bit address")
    function: Function = Field("holding", description="holding, input, coil or discrete")
    type: ValueType = Field("uint16", description="Register type (bits read as 0 / 1)")
    word_order: Order = Field("big", description="big: high word first (ABCD); little: CDAB")
    byte_order: Order = Field("big", description="big: high byte first in each word")
    scale: float = Field(1.0, description="value = raw / scale + offset")
    offset: float = 0.0
    unit: str = Field("", description="Unit (used when a signal is created)")
    unit_id: int | None = Field(None, ge=0, le=255, description="Unit id; empty: the connection's")
    period_s: float | None = Field(
        None, gt=0, description="Poll period; empty: the connection's poll_period_s"
    )

    @model_validator(mode="after")
    def _fits(self) -> ModbusRegister:
        if self.scale == 0:
            raise ValueError("scale must not be 0")
        if self.address + self.width > 65536:
            raise ValueError("the value runs past address 65535")
        return self

    @property
    def bits(self) -> bool:
        return self.function in ("coil", "discrete")

    @property
    def width(self) -> int:
        """Addresses it takes (registers, or one bit)."""
        return 1 if self.bits else WIDTH[self.type]


class ModbusConfig(ConnectorConfig):
    """A Modbus TCP server (a PLC, a gateway) and its register map."""

    host: str = Field(min_length=1, description="Server address")
    port: int = Field(502, ge=1, le=65535, description="TCP port")
    unit_id: int = Field(1, ge=0, le=255, description="Unit (slave) id")
    equipment: str = Field("", description="Equipment of entries that name none")
    poll_period_s: float = Field(1.0, gt=0, le=86_400, description="Seconds between polls")
    timeout_s: float = Field(2.0, gt=0, le=60, description="Seconds to wait for an answer")
    merge_gap: int = Field(
        0, ge=0, le=100, description="Unused registers a request may read across to merge"
    )
    reconnect_max_s: float = Field(
        30.0, gt=0, le=3600, description="Longest wait between reconnect attempts"
    )
    registers: list[ModbusRegister] = Field(
        default_factory=list, description="Register map: one entry per signal"
    )


# --------------------------------------------------------------------------- decoding


def decode(
    words: Sequence[int], kind: str, word_order: str = "big", byte_order: str = "big"
) -> float:
    """The raw number held by ``WIDTH[kind]`` register words in the given orders."""
    ws = list(words)[::-1] if word_order == "little" else list(words)
    if byte_order == "little":
        raw = b"".join((w & 0xFFFF).to_bytes(2, "little") for w in ws)
    else:
        raw = b"".join((w & 0xFFFF).to_bytes(2, "big") for w in ws)
    return float(struct.unpack(_STRUCT[kind], raw)[0])


def encode(value: float, kind: str, word_order: str = "big", byte_order: str = "big") -> list[int]:
    """The register words of a raw number (the inverse of :func:`decode`; tests, simulators)."""
    number: float | int = value if kind.startswith("float") else int(value)
    raw = struct.pack(_STRUCT[kind], number)
    words = [
        int.from_bytes(raw[i : i + 2], "little" if byte_order == "little" else "big")
        for i in range(0, len(raw), 2)
    ]
    return words[::-1] if word_order == "little" else words


def registers_from_map(
    entries: Iterable[Any], paths: Mapping[str, object] | None = None
) -> list[dict[str, Any]]:
    """Register entries (as dicts) from the simulator's documented map
    (:class:`openkamp.sim.live.modbus.RegisterEntry` objects or their ``as_dict()``);
    ``paths`` gives each machine's key path (``LiveFactory.paths``), else its name is used."""
    out = []
    for e in entries:
        d = e if isinstance(e, dict) else e.as_dict()
        eq = str((paths or {}).get(d["equipment"], d["equipment"]))
        out.append(
            {
                "equipment": eq, "signal": d["signal"], "address": d["address"],
                "function": d["table"], "type": d["kind"], "word_order": d["word_order"],
                "scale": d["scale"], "unit": d.get("unit", ""), "unit_id": d["unit_id"],
            }
        )  # fmt: skip
    return out


# --------------------------------------------------------------------------- planning


@dataclass
class _Entry:
    reg: ModbusRegister
    signal_id: int


@dataclass
class Block:
    """One read request: a run of addresses of one unit and table, and the entries in it."""

    unit_id: int
    function: str
    start: int
    count: int
    entries: list[_Entry] = field(default_factory=list)


def plan(entries: Sequence[_Entry], unit_id: int, merge_gap: int = 0) -> list[Block]:
    """The fewest requests that read ``entries`` (same period): grouped by unit and table,
    sorted by address, merged while the next entry starts at most ``merge_gap`` addresses
    after the block's end and the block stays within the protocol's limit."""
    groups: dict[tuple[int, str], list[_Entry]] = {}
    for e in entries:
        unit = e.reg.unit_id if e.reg.unit_id is not None else unit_id
        groups.setdefault((unit, e.reg.function), []).append(e)
    blocks: list[Block] = []
    for (unit, function), items in sorted(groups.items()):
        limit = MAX_BITS if function in ("coil", "discrete") else MAX_REGISTERS
        items.sort(key=lambda e: e.reg.address)
        cur: Block | None = None
        for e in items:
            lo, hi = e.reg.address, e.reg.address + e.reg.width
            if cur is not None and lo <= cur.start + cur.count + merge_gap:
                end = max(cur.start + cur.count, hi)
                if end - cur.start <= limit:
                    cur.count = end - cur.start
                    cur.entries.append(e)
                    continue
            cur = Block(unit, function, lo, hi - lo, [e])
            blocks.append(cur)
    return blocks


# --------------------------------------------------------------------------- the connector


class _Lost(Exception):
    """The connection to the server is gone."""


class ModbusConnector(Connector):
    """Polls a Modbus TCP server by its register map (see the module docstring)."""

    kind: ClassVar[str] = "modbus"
    Config: ClassVar[type[ConnectorConfig]] = ModbusConfig
    title: ClassVar[dict[str, str]] = {"ko": "Modbus TCP", "en": "Modbus TCP"}

    def __init__(self, config: ConnectorConfig) -> None:
        super().__init__(config)
        self.cfg: ModbusConfig = config  # type: ignore[assignment]
        #: Requests sent since start (tests check the grouping with it).
        self.requests = 0
        self._lock = asyncio.Lock()
        self._timeouts = 0

    async def _resolve(self, ctx: ConnectorContext) -> list[_Entry]:
        """The map's entries whose signal exists (others counted once and left out)."""
        out = []
        for reg in self.cfg.registers:
            path = reg.equipment or self.cfg.equipment
            try:
                eq = await ctx.equipment(path)
            except NotFound:
                ctx.reject("equipment.unknown", 1, path)
                continue
            sid = await ctx.signal(eq, reg.signal, unit=reg.unit)
            if sid is None:
                ctx.reject("signal.unknown", 1, f"{path}/{reg.signal}")
                continue
            out.append(_Entry(reg, sid))
        return out

    async def run(self, ctx: ConnectorContext) -> None:
        from pymodbus.client import AsyncModbusTcpClient

        cfg = self.cfg
        entries = await self._resolve(ctx)
        if not entries:
            ctx.error("no register of the map names a known signal")
            await ctx.stopping.wait()
            return
        by_period: dict[float, list[_Entry]] = {}
        for e in entries:
            by_period.setdefault(e.reg.period_s or cfg.poll_period_s, []).append(e)
        plans = {p: plan(es, cfg.unit_id, cfg.merge_gap) for p, es in by_period.items()}
        backoff = Backoff(initial=0.2, cap=cfg.reconnect_max_s)
        down = False  # in an outage (counted once)
        while not ctx.stopping.is_set():
            ctx.set_state("connecting")
            client = AsyncModbusTcpClient(
                cfg.host, port=cfg.port, timeout=cfg.timeout_s, retries=0, reconnect_delay=0
            )
            try:
                connected = await client.connect()
                if not connected:
                    raise _Lost(f"cannot connect to {cfg.host}:{cfg.port}")
                ctx.set_state("running")
                backoff.reset()
                down = False
                self._timeouts = 0
                await self._poll_all(ctx, client, plans)
            except _Lost as exc:
                if not down:
                    ctx.note("modbus.outage")
                    down = True
                ctx.error(str(exc))
            finally:
                client.close()
            if ctx.stopping.is_set():
                return
            ctx.set_state("connecting")
            await ctx.sleep(backoff.next())

    async def _poll_all(
        self, ctx: ConnectorContext, client: Any, plans: dict[float, list[Block]]
    ) -> None:
        """Poll every period's blocks until the connection is lost (raises :class:`_Lost`) or
        the connection stops."""
        tasks = [
            asyncio.create_task(self._poll_every(ctx, client, period, blocks))
            for period, blocks in plans.items()
        ]
        stop = asyncio.create_task(ctx.stopping.wait())
        try:
            done, _ = await asyncio.wait([*tasks, stop], return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                if task is not stop:
                    task.result()  # _Lost (or a bug) comes out here
            # Stopping: each poll loop ends at its next sleep; a poll under way finishes first
            # (a read waits at most timeout_s), so what it read is written, not dropped.
            await asyncio.wait(tasks, timeout=self.cfg.timeout_s + 1.0)
        finally:
            for task in [*tasks, stop]:
                task.cancel()
            for task in [*tasks, stop]:
                with contextlib.suppress(asyncio.CancelledError, _Lost):
                    await task

    async def _poll_every(
        self, ctx: ConnectorContext, client: Any, period: float, blocks: list[Block]
    ) -> None:
        due = time.monotonic()
        while True:
            await self.poll(ctx, client, blocks)
            due += period
            now = time.monotonic()
            if due < now:  # the poll took longer than its period: skip, do not pile up
                ctx.note("modbus.overrun")
                due = now
            if not await ctx.sleep(due - now):
                return

    async def poll(self, ctx: ConnectorContext, client: Any, blocks: list[Block]) -> int:
        """Read every block once and write the values (one write per poll); returns how many
        points were stored. A block refused as an illegal address is split into single entries
        (in place) for the next polls."""
        sids: list[int] = []
        ts: list[int] = []
        values: list[float] = []
        for block in list(blocks):
            words, at = await self._read(ctx, client, block)
            if words is None:
                if at == -2 and len(block.entries) > 1:  # illegal address: split for next time
                    i = blocks.index(block)
                    blocks[i : i + 1] = [
                        Block(block.unit_id, block.function, e.reg.address, e.reg.width, [e])
                        for e in block.entries
                    ]
                continue
            for e in block.entries:
                r = e.reg
                off = r.address - block.start
                if r.bits:
                    raw = 1.0 if words[off] else 0.0
                else:
                    raw = decode(words[off : off + r.width], r.type, r.word_order, r.byte_order)
                sids.append(e.signal_id)
                ts.append(at)
                values.append(raw / r.scale + r.offset)
        if not sids:
            return 0
        # Shielded: a poll cancelled while its points are handed over (a lost connection of
        # another period's loop) leaves the write to finish; the points are stored, not torn.
        return await asyncio.shield(ctx.write(points_table(sids, ts, values)))

    async def _read(
        self, ctx: ConnectorContext, client: Any, block: Block
    ) -> tuple[list[int] | list[bool] | None, int]:
        """(words or bits, time of the answer); (None, -exception code) when refused."""
        from pymodbus.exceptions import ConnectionException, ModbusIOException

        read = {
            "holding": client.read_holding_registers,
            "input": client.read_input_registers,
            "coil": client.read_coils,
            "discrete": client.read_discrete_inputs,
        }[block.function]
        sent = now_us()
        try:
            async with self._lock:  # one request at a time on the connection
                self.requests += 1
                resp = await read(block.start, count=block.count, device_id=block.unit_id)
        except ConnectionException as exc:
            raise _Lost(str(exc)) from exc
        except (ModbusIOException, TimeoutError) as exc:
            if not client.connected:
                raise _Lost(str(exc)) from exc
            self._timeouts += 1
            ctx.reject("modbus.timeout", len(block.entries))
            ctx.error(f"no answer from unit {block.unit_id} at {block.function} {block.start}")
            if self._timeouts >= TIMEOUTS_BEFORE_RECONNECT:
                raise _Lost("no answers: reconnecting") from exc
            return None, 0
        at = (sent + now_us()) // 2
        self._timeouts = 0
        if resp.isError():
            code = int(getattr(resp, "exception_code", 0) or 0)
            reason = EXCEPTION_REASONS.get(code, "modbus.exception")
            ctx.reject(reason, len(block.entries), f"unit {block.unit_id} {block.function} "
                       f"{block.start}+{block.count}: code {code}")  # fmt: skip
            return None, -code
        data: list[int] | list[bool] = (
            list(resp.bits[: block.count]) if block.function in ("coil", "discrete")
            else list(resp.registers)
        )  # fmt: skip
        if len(data) < block.count:
            ctx.reject("modbus.short_answer", len(block.entries))
            return None, at
        return data, at
