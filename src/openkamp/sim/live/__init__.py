"""The demo factory, live: the simulator's machines on the wall clock, served over MQTT (JSON and
Sparkplug B), OPC UA (with history) and Modbus TCP, with faults injected on request.

* :class:`LiveFactory` (``factory``): the machines advanced as time passes; ``inject`` /
  ``clear`` faults (:data:`FAULTS`, ``faults``).
* :class:`MqttPublisher` (``mqtt``): JSON per machine and Sparkplug B births, data and deaths.
* :class:`OpcUaServer` (``opcua``): site / line / machine objects, variables with units, ranges
  and history.
* :class:`ModbusServer` and :func:`register_map` (``modbus``): a unit per machine, float32 and
  scaled int16 registers.
* :class:`Simulator` (``runner``): steps the factory and feeds the outputs.
* :func:`run_broker` (``mosquitto``): a private Mosquitto on a free port (CLI and tests).

``openkamp simulate`` runs it all from the command line.
"""

from openkamp.sim.live.factory import LiveFactory, MachinePath, Tick
from openkamp.sim.live.faults import FAULTS, FaultSpec, Injection
from openkamp.sim.live.modbus import ModbusServer, RegisterEntry, register_map
from openkamp.sim.live.mosquitto import Broker, free_port, run_broker
from openkamp.sim.live.mqtt import MqttPublisher
from openkamp.sim.live.opcua import OpcUaServer
from openkamp.sim.live.runner import Output, Simulator

__all__ = [
    "FAULTS",
    "Broker",
    "FaultSpec",
    "Injection",
    "LiveFactory",
    "MachinePath",
    "ModbusServer",
    "MqttPublisher",
    "OpcUaServer",
    "Output",
    "RegisterEntry",
    "Simulator",
    "Tick",
    "free_port",
    "register_map",
    "run_broker",
]
