"""The live path: connectors that bring machine data in as it happens.

A connector (MQTT, OPC UA, Modbus, a third party's) is a plugin class registered through the
``openkamp_connectors`` hook; each configured *connection* (a ``connection`` record) runs one
instance as long-lived work owned by the platform (:mod:`openkamp.connectors.runtime`). A
connector talks to the platform only through its :class:`~openkamp.connectors.base.ConnectorContext`:
``await ctx.write(points)`` returns once the points are durable; names resolve to ids through the
context; bad input is counted with ``ctx.reject``. ``payloads/`` holds the pure codecs.
"""

from __future__ import annotations

from openkamp.connectors.base import (
    Backoff,
    Connector,
    ConnectorConfig,
    ConnectorContext,
    Counters,
    Secret,
)

__all__ = ["Backoff", "Connector", "ConnectorConfig", "ConnectorContext", "Counters", "Secret"]
