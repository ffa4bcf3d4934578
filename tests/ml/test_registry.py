"""The model registry: versions, stages, tenancy, verified loading and provenance."""

from __future__ import annotations

import json
import pickle
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.linear_model import LinearRegression, LogisticRegression

from openkamp.core.errors import Conflict, Forbidden, InvalidInput, NotFound, StorageError
from openkamp.core.tenancy import Principal, Role
from openkamp.ml.registry import ModelRegistry, ModelVersionDriftWarning
from openkamp.platform import Platform

# -- a pickle that does something when unpickled -----------------------------------------------

TRAP_SPRUNG = False


def _spring() -> dict[str, str]:
    global TRAP_SPRUNG
    TRAP_SPRUNG = True
    return {"pwned": "yes"}


class Trap:
    """Unpickling an instance runs ``_spring`` (sets the flag) and yields a dict, not a Trap."""

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        return (_spring, ())


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def registry(kamp: Platform) -> ModelRegistry:
    return ModelRegistry(kamp.meta, kamp.files)


@pytest.fixture
def data() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(7)
    X = pd.DataFrame({"pressure": rng.normal(150, 10, 200), "oil_temp": rng.normal(45, 3, 200)})
    y = ((X["pressure"] - 150) / 10 + rng.normal(0, 0.5, 200) > 0.5).astype(int).to_numpy()
    return X, y


def _fit(data: tuple[pd.DataFrame, np.ndarray], C: float = 1.0) -> LogisticRegression:
    X, y = data
    return LogisticRegression(C=C).fit(X, y)


@pytest.fixture(autouse=True)
def _reset_trap() -> None:
    global TRAP_SPRUNG
    TRAP_SPRUNG = False


# -- tests -------------------------------------------------------------------------------------


def test_register_and_load_round_trip(
    registry: ModelRegistry, me: Principal, data: tuple[pd.DataFrame, np.ndarray]
) -> None:
    model = _fit(data)
    X, _ = data
    v = registry.register(
        me,
        model,
        name="press01_defect",
        task="classify",
        metrics={"accuracy": np.float64(0.9), "n": np.int64(200)},
        params=model.get_params(),
        dataset_id=12,
        schema_hash="abc123",
        target="result",
        description="프레스 불량 예측",
    )
    assert (v.version, v.stage, v.task) == (1, "candidate", "classify")
    assert v.class_path == "sklearn.linear_model._logistic:LogisticRegression"
    assert v.metrics == {"accuracy": 0.9, "n": 200} and v.params["C"] == 1.0
    assert v.description == "프레스 불량 예측" and v.created_by == me.name
    prov = v.provenance
    assert prov["libraries"]["sklearn"] == sklearn.__version__
    assert prov["libraries"]["numpy"] == np.__version__
    assert {"python", "lightgbm", "openkamp"} <= set(prov["libraries"])
    assert prov["code_version"]  # a git commit in a checkout, else the package version
    assert (prov["dataset_id"], prov["schema_hash"], prov["target"]) == (12, "abc123", "result")
    assert prov["feature_names"] == ["pressure", "oil_temp"]  # taken from the fitted model
    assert v.created_at is not None and v.created_at.tzinfo is not None

    with warnings.catch_warnings():
        warnings.simplefilter("error", ModelVersionDriftWarning)  # no drift right after training
        loaded = registry.load(me, "press01_defect")
    assert type(loaded) is LogisticRegression
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert registry.get(me, "press01_defect") == v


def test_versions_increment_and_are_listed(
    registry: ModelRegistry, me: Principal, data: tuple[pd.DataFrame, np.ndarray]
) -> None:
    for C in (0.1, 1.0, 10.0):
        registry.register(me, _fit(data, C), name="defect", task="classify", params={"C": C})
    registry.register(me, LinearRegression().fit(*data), name="cycle_time", task="regress")
    assert registry.get(me, "defect").version == 3  # latest by default
    assert registry.get(me, "defect", version=1).params == {"C": 0.1}
    assert registry.load(me, "defect", version=2).C == 1.0
    assert [(v.name, v.version) for v in registry.list(me)] == [
        ("cycle_time", 1),
        ("defect", 1),
        ("defect", 2),
        ("defect", 3),
    ]
    assert [v.version for v in registry.list(me, "defect")] == [1, 2, 3]
    with pytest.raises(NotFound):
        registry.get(me, "defect", version=4)
    with pytest.raises(NotFound):
        registry.get(me, "no_such_model")


def test_promotion_archives_the_previous_production_version(
    registry: ModelRegistry, me: Principal, data: tuple[pd.DataFrame, np.ndarray]
) -> None:
    for C in (0.1, 1.0, 10.0):
        registry.register(me, _fit(data, C), name="defect", task="classify")
    with pytest.raises(NotFound):
        registry.get(me, "defect", stage="production")  # none promoted yet
    registry.set_stage(me, "defect", 1, "production")
    assert registry.load(me, "defect", stage="production").C == 0.1
    promoted = registry.set_stage(me, "defect", 2, "production")
    assert promoted.stage == "production"
    assert [v.stage for v in registry.list(me, "defect")] == ["archived", "production", "candidate"]
    assert registry.get(me, "defect", stage="production").version == 2
    assert registry.set_stage(me, "defect", 2, "production").stage == "production"  # no-op
    registry.set_stage(me, "defect", 2, "archived")  # demoting leaves no production version
    with pytest.raises(NotFound):
        registry.get(me, "defect", stage="production")
    registry.set_stage(me, "defect", 3, "production")
    assert [v.stage for v in registry.list(me, "defect")] == ["archived", "archived", "production"]
    with pytest.raises(InvalidInput):
        registry.set_stage(me, "defect", 1, "staging")


def test_promotion_is_one_transaction(
    registry: ModelRegistry,
    kamp: Platform,
    me: Principal,
    data: tuple[pd.DataFrame, np.ndarray],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registry.register(me, _fit(data), name="defect", task="classify")
    registry.register(me, _fit(data, 2.0), name="defect", task="classify")
    registry.set_stage(me, "defect", 1, "production")
    real_update = kamp.meta.update
    calls = []

    def failing_update(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        if len(calls) == 2:  # after archiving version 1, before promoting version 2
            raise RuntimeError("crash")
        return real_update(*args, **kwargs)

    monkeypatch.setattr(kamp.meta, "update", failing_update)
    with pytest.raises(RuntimeError):
        registry.set_stage(me, "defect", 2, "production")
    monkeypatch.undo()
    assert [v.stage for v in registry.list(me, "defect")] == ["production", "candidate"]


def test_other_organisations_cannot_see_models(
    registry: ModelRegistry, kamp: Platform, me: Principal, data: tuple[pd.DataFrame, np.ndarray]
) -> None:
    registry.register(me, _fit(data), name="defect", task="classify")
    other = kamp.principal("other_factory")
    assert registry.list(other) == []
    with pytest.raises(NotFound):
        registry.get(other, "defect")
    with pytest.raises(NotFound):
        registry.load(other, "defect", version=1)
    with pytest.raises(NotFound):
        registry.set_stage(other, "defect", 1, "production")
    with pytest.raises(NotFound):
        registry.delete(other, "defect", 1)
    theirs = registry.register(other, _fit(data, 5.0), name="defect", task="classify")
    assert theirs.version == 1  # each organisation numbers its own versions
    assert registry.load(me, "defect").C == 1.0 and registry.load(other, "defect").C == 5.0


def test_tampered_artefact_is_never_unpickled(
    registry: ModelRegistry, kamp: Platform, me: Principal, data: tuple[pd.DataFrame, np.ndarray]
) -> None:
    v = registry.register(me, _fit(data), name="defect", task="classify")
    payload = pickle.dumps(Trap(), protocol=5)
    pickle.loads(payload)  # the payload is armed: unpickling it springs the trap
    assert TRAP_SPRUNG
    globals()["TRAP_SPRUNG"] = False

    path = kamp.files._path(me.org_id, v.artefact_sha256)
    original = path.read_bytes()
    path.write_bytes(payload)
    with pytest.raises(StorageError, match="checksum"):
        registry.load(me, "defect")
    assert not TRAP_SPRUNG

    flipped = bytearray(original)  # same size, one byte changed
    flipped[len(flipped) // 2] ^= 0xFF
    path.write_bytes(bytes(flipped))
    with pytest.raises(StorageError, match="checksum"):
        registry.load(me, "defect")

    path.unlink()
    with pytest.raises(StorageError, match="missing"):
        registry.load(me, "defect")


def test_an_object_of_another_class_is_rejected(registry: ModelRegistry, me: Principal) -> None:
    # Registered through the registry, so its bytes verify; but it unpickles as a dict.
    v = registry.register(me, Trap(), name="odd", task="classify")
    assert v.class_path.endswith(":Trap")
    with pytest.raises(StorageError, match="registered as"):
        registry.load(me, "odd")


def test_version_drift_warns(
    registry: ModelRegistry, kamp: Platform, me: Principal, data: tuple[pd.DataFrame, np.ndarray]
) -> None:
    v = registry.register(me, _fit(data), name="defect", task="classify")
    rec = kamp.meta.get(me.org_id, "model", v.id)
    prov = rec["provenance"]
    prov = json.loads(prov) if isinstance(prov, str) else prov
    prov["libraries"]["sklearn"] = "1.0.2"
    kamp.meta.update(me.org_id, "model", v.id, {"provenance": json.dumps(prov)})
    with pytest.warns(ModelVersionDriftWarning, match=r"sklearn 1\.0\.2 \(running"):
        model = registry.load(me, "defect")
    assert type(model) is LogisticRegression  # a warning, not a refusal


def test_roles(
    registry: ModelRegistry, me: Principal, data: tuple[pd.DataFrame, np.ndarray]
) -> None:
    viewer = Principal(org_id=me.org_id, name="viewer", roles=frozenset({Role.VIEWER}))
    engineer = Principal(org_id=me.org_id, name="engineer", roles=frozenset({Role.ENGINEER}))
    with pytest.raises(Forbidden):
        registry.register(viewer, _fit(data), name="defect", task="classify")
    v = registry.register(engineer, _fit(data), name="defect", task="classify")
    assert v.created_by == "engineer"
    with pytest.raises(Forbidden):
        registry.set_stage(viewer, "defect", 1, "production")
    with pytest.raises(Forbidden):
        registry.delete(viewer, "defect", 1)
    assert registry.get(viewer, "defect").version == 1  # reading needs any role
    assert registry.list(viewer) == [v]
    assert type(registry.load(viewer, "defect")) is LogisticRegression


def test_delete(
    registry: ModelRegistry, kamp: Platform, me: Principal, data: tuple[pd.DataFrame, np.ndarray]
) -> None:
    model = _fit(data)
    v1 = registry.register(me, model, name="defect", task="classify")
    v2 = registry.register(me, model, name="defect", task="classify")  # identical bytes
    v3 = registry.register(me, _fit(data, 3.0), name="defect", task="classify")
    assert v1.artefact_sha256 == v2.artefact_sha256 != v3.artefact_sha256
    registry.set_stage(me, "defect", 3, "production")
    with pytest.raises(Conflict):
        registry.delete(me, "defect", 3)
    registry.delete(me, "defect", 1)
    assert kamp.files.exists(me.org_id, v1.artefact_sha256)  # version 2 still uses it
    assert registry.load(me, "defect", version=2).C == 1.0
    registry.delete(me, "defect", 2)
    assert not kamp.files.exists(me.org_id, v1.artefact_sha256)
    assert [v.version for v in registry.list(me)] == [3]
    with pytest.raises(NotFound):
        registry.delete(me, "defect", 2)
    # Numbers are not reused while a later version exists.
    assert registry.register(me, model, name="defect", task="classify").version == 4


def test_invalid_input(
    registry: ModelRegistry, me: Principal, data: tuple[pd.DataFrame, np.ndarray]
) -> None:
    with pytest.raises(InvalidInput):
        registry.register(me, _fit(data), name="bad name!", task="classify")
    with pytest.raises(InvalidInput):
        registry.register(me, _fit(data), name="defect", task="astrology")

    class Local:  # defined in a function: pickle cannot find it again, so it cannot be saved
        pass

    with pytest.raises(InvalidInput, match="cannot be saved"):
        registry.register(me, Local(), name="local", task="classify")
    assert registry.list(me) == []
