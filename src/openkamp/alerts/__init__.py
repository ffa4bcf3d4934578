"""Alerts and machine states: what needs someone's attention, and on which machine.

``AlertService`` (``Platform.alerts``) raises, lists and acknowledges alerts; scoring calls
``AlertService.raise_from_scores`` (or ``raise_scored_period``) with what a scored period found.
``AlertEngine`` evaluates the rules (``RuleService``) and the production models' online
scores on live data, one alert per episode; ``Notifier`` sends them to the channels
(``ChannelService``: webhook, e-mail). ``machine_states`` judges each machine: fresh or stale data (against its own usual spacing),
readings outside declared limits, production and defect rate against the usual, open alerts.
"""

from openkamp.alerts.engine import AlertEngine
from openkamp.alerts.notify import ChannelService, Notifier
from openkamp.alerts.rules import RuleService
from openkamp.alerts.service import AlertService, describe, is_defect
from openkamp.alerts.status import MachineState, machine_states, usual_spacing

__all__ = [
    "AlertEngine",
    "AlertService",
    "ChannelService",
    "MachineState",
    "Notifier",
    "RuleService",
    "describe",
    "is_defect",
    "machine_states",
    "usual_spacing",
]
