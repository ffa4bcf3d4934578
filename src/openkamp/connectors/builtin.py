"""The built-in connectors, registered through the plugin hook exactly as a third party's
(entry point ``builtin_connectors`` in the ``openkamp`` group, and DEFAULT_PLUGINS)."""

from __future__ import annotations

from typing import Any

from openkamp.plugins import hookimpl


@hookimpl
def openkamp_connectors() -> list[Any]:
    from openkamp.connectors.http import HttpConnector
    from openkamp.connectors.modbus import ModbusConnector
    from openkamp.connectors.mqtt import MqttConnector
    from openkamp.connectors.opcua import OpcUaConnector

    return [HttpConnector, ModbusConnector, MqttConnector, OpcUaConnector]
