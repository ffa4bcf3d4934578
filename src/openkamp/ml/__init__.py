"""AI standard models: task templates, evaluation, explanations, registry, reports, scoring.

A template is picked by the problem (see docs/models.md): :class:`AnomalyModel` ("detect abnormal
equipment"), :class:`ClassifyModel` ("predict defects / failures"), :class:`RULModel` ("how long
until it fails"), :class:`ForecastModel` ("the next hours or days"), :class:`RegressModel` ("predict a quality
value") and :class:`OptimiseModel` ("which settings give fewer defects"). Each is a scikit-learn estimator that
searches candidates within a time budget, evaluates them without leakage and describes itself in a
:class:`ModelCard`. :class:`ModelService` (``Platform.ml``) trains them on stored data, registers
them in the :class:`ModelRegistry`, writes their analysis reports and scores new data.
"""

from openkamp.ml.card import ModelCard, Plot
from openkamp.ml.leakage import find_leaks
from openkamp.ml.registry import ModelRegistry, ModelVersion, ModelVersionDriftWarning
from openkamp.ml.service import ModelService, TrainResult, TrainSpec
from openkamp.ml.tables import Table, read_table
from openkamp.ml.templates.anomaly import AnomalyModel
from openkamp.ml.templates.classify import ClassifyModel
from openkamp.ml.templates.forecast import ForecastModel
from openkamp.ml.templates.optimise import OptimiseModel
from openkamp.ml.templates.regress import RegressModel
from openkamp.ml.templates.rul import RULModel

__all__ = [
    "AnomalyModel",
    "ClassifyModel",
    "ForecastModel",
    "ModelCard",
    "ModelRegistry",
    "ModelService",
    "ModelVersion",
    "ModelVersionDriftWarning",
    "OptimiseModel",
    "Plot",
    "RULModel",
    "RegressModel",
    "Table",
    "TrainResult",
    "TrainSpec",
    "find_leaks",
    "read_table",
]
