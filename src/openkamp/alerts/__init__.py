"""Alerts and machine states: what needs someone's attention, and on which machine.

``AlertService`` (``Platform.alerts``) raises, lists and acknowledges alerts; scoring calls
``AlertService.raise_from_scores`` (or ``raise_scored_period``) with what a scored period found.
``machine_states`` judges each machine: fresh or stale data (against its own usual spacing),
readings outside declared limits, production and defect rate against the usual, open alerts.
"""

from openkamp.alerts.service import AlertService, describe, is_defect
from openkamp.alerts.status import MachineState, machine_states, usual_spacing

__all__ = [
    "AlertService",
    "MachineState",
    "describe",
    "is_defect",
    "machine_states",
    "usual_spacing",
]
