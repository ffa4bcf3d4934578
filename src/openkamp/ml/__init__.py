"""AI standard models: task templates, detectors, evaluation, registry.

Work in progress (issue 3). What exists: the estimator contract (:mod:`openkamp.ml.base`),
anomaly detectors (:mod:`openkamp.ml.detectors`), the anomaly template
(:class:`openkamp.ml.templates.anomaly.AnomalyModel`), metrics with confidence intervals
(:mod:`openkamp.ml.metrics`) and the model registry (:mod:`openkamp.ml.registry`).
"""

from openkamp.ml.registry import ModelRegistry, ModelVersion, ModelVersionDriftWarning
from openkamp.ml.templates.anomaly import AnomalyModel

__all__ = ["AnomalyModel", "ModelRegistry", "ModelVersion", "ModelVersionDriftWarning"]
