"""AI standard models: task templates, detectors, evaluation, registry.

Work in progress (issue 3). What exists: the estimator contract (:mod:`openkamp.ml.base`),
anomaly detectors, the anomaly, classify and RUL templates, leakage detection, leakage-safe
splits, metrics with confidence intervals and the model registry.
"""

from openkamp.ml.leakage import find_leaks
from openkamp.ml.registry import ModelRegistry, ModelVersion, ModelVersionDriftWarning
from openkamp.ml.templates.anomaly import AnomalyModel
from openkamp.ml.templates.classify import ClassifyModel
from openkamp.ml.templates.rul import RULModel

__all__ = [
    "AnomalyModel",
    "ClassifyModel",
    "ModelRegistry",
    "ModelVersion",
    "ModelVersionDriftWarning",
    "RULModel",
    "find_leaks",
]
