"""A seedable simulator of a small factory, with known ground truth.

Used by tests, demos and benchmarks. Everything is deterministic given a seed and vectorised with
numpy (a month of the demo factory takes a second or two).

    from openkamp.sim import Factory
    f = Factory(seed=42)
    f.asset_model()                       # SiteSpec: site → lines → equipment, signals, labels
    data = f.generate(start, end)         # equipment → DataFrame(timestamp, signals…, labels…)
    truth = f.ground_truth(start, end)    # equipment → DataFrame(timestamp, hidden truth…)
    f.write_files(out_dir, start, end, layout="wide", fmt="csv", encoding="cp949",
                  korean_headers=True)
    for batch in f.stream(start): ...     # [(equipment, signal, timestamp, value), …]

Machines, and what each models (see their modules):

* :class:`InjectionMachine` (``injection_moulding``): one row per shot; material lots, heater and
  check-ring drift, start-up scrap; a known multinomial-logit defect model (``defect_prob``).
* :class:`CncMachine` (``cnc``): spindle, vibration, coolant; three-phase tool wear, planned tool
  changes and run-to-failure tools; wear and remaining useful life.
* :class:`HydraulicPress` (``hydraulic_press``): pump condition monitoring with bearing wear,
  cavitation, leakage, sensor drift and stuck-sensor faults of known intervals.
* :class:`MeltingTank` (``melting_tank``): batches with a temperature / stirrer / weight profile
  and a known logistic OK/NG model.

:func:`write_wide_csv` (``bulk``) writes multi-gigabyte benchmark CSVs at high speed.
"""

from openkamp.sim.bulk import signal_names, write_wide_csv
from openkamp.sim.cnc import CncMachine
from openkamp.sim.factory import MACHINE_TYPES, Factory, Line, Simulation, demo_lines
from openkamp.sim.injection import InjectionMachine
from openkamp.sim.machine import Machine
from openkamp.sim.press import HydraulicPress
from openkamp.sim.schedule import WorkSchedule
from openkamp.sim.tank import MeltingTank

__all__ = [
    "MACHINE_TYPES",
    "CncMachine",
    "Factory",
    "HydraulicPress",
    "InjectionMachine",
    "Line",
    "Machine",
    "MeltingTank",
    "Simulation",
    "WorkSchedule",
    "demo_lines",
    "signal_names",
    "write_wide_csv",
]
