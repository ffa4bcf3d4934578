"""The model registry: versions, stages, provenance and checksum-verified loading (STYLE rule 6).

A registered model is a pickle (protocol 5) in the file store, addressed by its SHA-256, plus a
``model`` record in the metadata store holding that checksum, the model's class and its provenance
(library versions, code version, dataset id, schema hash, feature names, target, time)::

    registry = ModelRegistry(kamp.meta, kamp.files)
    v = registry.register(me, fitted, name="press01_defect", task="classify", metrics={"f1": 0.91})
    registry.set_stage(me, "press01_defect", v.version, "production")
    model = registry.load(me, "press01_defect", stage="production")

Loading reads the bytes, verifies their checksum and size against the record **before** anything
is unpickled (unpickling runs code, so unverified bytes are never unpickled), checks that the
object is of the recorded class, and warns with :class:`ModelVersionDriftWarning` when a library
recorded at training time differs from the running one.

Each name has versions 1, 2, … and at most one ``production`` version; promoting a version to
production archives the previous one in the same transaction. The database enforces the "one
production version" rule too (``production_slot``), so concurrent promotions on a scale-out
deployment cannot both win. Models of one organisation are invisible to every other one.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import pickle
import platform
import subprocess
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from openkamp.core.assets import check_name, check_texts
from openkamp.core.errors import Conflict, InvalidInput, NotFound, StorageError
from openkamp.core.tenancy import Principal, Role, require
from openkamp.core.text import nfc, refuse_look_alike

if TYPE_CHECKING:
    from openkamp.storage.files.base import FileStore
    from openkamp.storage.metadata.base import MetadataStore, Record, RecordKind

__all__ = [
    "STAGES",
    "TASKS",
    "ModelRegistry",
    "ModelVersion",
    "ModelVersionDriftWarning",
]

#: Task templates a model can be registered for.
TASKS = ("anomaly", "classify", "regress", "rul", "forecast", "optimise", "vision")
#: Life-cycle stages of a model version.
STAGES = ("candidate", "production", "archived")
PICKLE_PROTOCOL = 5

# The record kind; ``cast`` until the store's ``RecordKind`` literal lists "model".
_MODEL = cast("RecordKind", "model")
# Libraries whose versions are recorded and compared on load: provenance key -> distribution.
_LIBRARIES = {
    "numpy": "numpy",
    "sklearn": "scikit-learn",
    "lightgbm": "lightgbm",
    "openkamp": "openkamp",
}
# Two writers computing "max + 1" at once (separate processes on PostgreSQL) collide on the
# unique (org, name, version) constraint; the loser simply takes the next number.
_REGISTER_ATTEMPTS = 5


class ModelVersionDriftWarning(UserWarning):
    """A model was trained with library versions different from the running ones."""


@dataclass(frozen=True)
class ModelVersion:
    """One registered version of a model: the stored record, with JSON fields parsed."""

    id: int
    org_id: int
    name: str
    version: int
    task: str
    stage: str
    artefact_sha256: str
    artefact_size: int
    class_path: str
    provenance: dict[str, Any] = field(default_factory=dict, hash=False)
    metrics: dict[str, Any] = field(default_factory=dict, hash=False)
    params: dict[str, Any] = field(default_factory=dict, hash=False)
    description: str = ""
    created_at: datetime | None = None
    created_by: str = ""

    @classmethod
    def from_record(cls, rec: Record) -> ModelVersion:
        return cls(
            id=int(rec["id"]),
            org_id=int(rec["org_id"]),
            name=rec["name"],
            version=int(rec["version"]),
            task=rec["task"],
            stage=rec["stage"],
            artefact_sha256=rec["artefact_sha256"],
            artefact_size=int(rec["artefact_size"]),
            class_path=rec["class_path"],
            provenance=_parse_json(rec.get("provenance")),
            metrics=_parse_json(rec.get("metrics")),
            params=_parse_json(rec.get("params")),
            description=rec.get("description") or "",
            created_at=rec.get("created_at"),
            created_by=rec.get("created_by") or "",
        )

    @property
    def libraries(self) -> dict[str, str | None]:
        """Library versions the model was trained with (python, numpy, sklearn, …)."""
        return dict(self.provenance.get("libraries", {}))


class ModelRegistry:
    """Versions, stages and verified loading of trained models, scoped to the acting organisation."""

    def __init__(self, meta: MetadataStore, files: FileStore) -> None:
        self.meta = meta
        self.files = files

    # -- writing ------------------------------------------------------------------------------

    def register(
        self,
        principal: Principal,
        model: Any,
        *,
        name: str,
        task: str,
        metrics: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        dataset_id: int | str | None = None,
        schema_hash: str | None = None,
        feature_names: Sequence[str] | None = None,
        target: str | None = None,
        description: str = "",
        training: Mapping[str, Any] | None = None,
        fence: str | None = None,
    ) -> ModelVersion:
        """Store ``model`` as the next version of ``name`` (stage ``candidate``).

        ``training`` records how the model was trained from stored data (equipment, period,
        columns, data quality), for scoring it later on the same kind of data. ``fence``: a key
        of the work that trained it (a job's part); a version of ``name`` registered with the
        same key is returned instead of registering another (:meth:`fenced`), so work that runs
        twice (a Dask task rerun after its worker died) registers one version.
        """
        require(principal, Role.ENGINEER)
        name = nfc(name) if isinstance(name, str) else name
        check_name(name, "model name")
        check_texts({"description": description}, "model")
        refuse_look_alike(
            name, {str(r["name"]) for r in self.meta.find(principal.org_id, _MODEL)}, "model name"
        )
        if task not in TASKS:
            raise InvalidInput(f"Unknown task {task!r}.", hint=f"Use one of: {', '.join(TASKS)}.")
        if fence is not None and (earlier := self.fenced(principal, name, fence)) is not None:
            return earlier
        class_path = _class_path(type(model))
        try:
            data = pickle.dumps(model, protocol=PICKLE_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            raise InvalidInput(
                f"The model of class {class_path} cannot be saved: {exc}",
                hint="Define model classes at module level, not inside functions.",
            ) from exc
        if feature_names is None and hasattr(model, "feature_names_in_"):
            feature_names = [str(f) for f in model.feature_names_in_]
        created_at = datetime.now(UTC)
        provenance = {
            "libraries": library_versions(),
            "code_version": code_version(),
            "dataset_id": dataset_id,
            "schema_hash": schema_hash,
            "feature_names": None if feature_names is None else [str(f) for f in feature_names],
            "target": target,
            "created_at": created_at.isoformat(),
            "pickle_protocol": PICKLE_PROTOCOL,
            "training": dict(training or {}),
        }
        if fence is not None:
            provenance["fence"] = fence
        ref = self.files.put(principal.org_id, data)
        values: Record = {
            "name": name,
            "task": task,
            "stage": "candidate",
            "production_slot": None,
            "artefact_sha256": ref.sha256,
            "artefact_size": ref.size,
            "class_path": class_path,
            "provenance": _dump_json(provenance),
            "metrics": _dump_json(dict(metrics or {})),
            "params": _dump_json(dict(params or {})),
            "description": description,
            "created_at": created_at,
            "created_by": principal.name,
        }
        for attempt in range(_REGISTER_ATTEMPTS):
            try:
                with self.meta.transaction():
                    existing = self.meta.find(principal.org_id, _MODEL, name=name)
                    if fence is not None and (twin := _with_fence(existing, fence)) is not None:
                        # The same work ran twice at once and the other run registered first
                        # (or took this number: the Conflict below brings us back here).
                        return ModelVersion.from_record(twin)
                    version = max((int(r["version"]) for r in existing), default=0) + 1
                    rec = self.meta.insert(principal.org_id, _MODEL, {**values, "version": version})
            except Conflict:
                if attempt == _REGISTER_ATTEMPTS - 1:
                    raise
                continue
            return ModelVersion.from_record(rec)
        raise AssertionError("unreachable")  # pragma: no cover

    def fenced(self, principal: Principal, name: str, fence: str) -> ModelVersion | None:
        """The version of ``name`` registered with ``fence`` (see :meth:`register`), if any."""
        require(principal, Role.VIEWER)
        found = _with_fence(self.meta.find(principal.org_id, _MODEL, name=nfc(name)), fence)
        return None if found is None else ModelVersion.from_record(found)

    def set_stage(self, principal: Principal, name: str, version: int, stage: str) -> ModelVersion:
        """Move a version to ``stage``; a new production version archives the previous one."""
        require(principal, Role.ENGINEER)
        _check_stage(stage)
        org = principal.org_id
        with self.meta.transaction():
            rec = self._record(principal, name, version, None)
            if rec["stage"] == stage:
                return ModelVersion.from_record(rec)
            if stage == "production":
                for old in self.meta.find(org, _MODEL, name=name, stage="production"):
                    # Free the production slot before taking it: the unique constraint is
                    # checked statement by statement.
                    self.meta.update(
                        org, _MODEL, old["id"], {"stage": "archived", "production_slot": None}
                    )
            rec = self.meta.update(
                org,
                _MODEL,
                rec["id"],
                {"stage": stage, "production_slot": 1 if stage == "production" else None},
            )
        return ModelVersion.from_record(rec)

    def set_threshold(
        self, principal: Principal, name: str, version: int, threshold: float
    ) -> ModelVersion:
        """Store the decision threshold a person chose for a binary defect model (on the
        trade-off of missed defects against false alarms); :meth:`load` applies it, so every
        way of scoring (UI, API, batch) uses it. The artefact itself is never rewritten."""
        require(principal, Role.ENGINEER)
        if not 0.0 < float(threshold) < 1.0:
            raise InvalidInput(
                f"A threshold is a probability between 0 and 1, not {threshold}.",
                code="web_data.threshold_range",
            )
        rec = self._record(principal, name, version, None)
        params = dict(ModelVersion.from_record(rec).params)
        params["decision_threshold"] = float(threshold)
        rec = self.meta.update(principal.org_id, _MODEL, rec["id"], {"params": _dump_json(params)})
        return ModelVersion.from_record(rec)

    def delete(self, principal: Principal, name: str, version: int) -> None:
        """Delete a version and, when no other version shares it, its artefact.

        The production version cannot be deleted (Conflict): archive it or promote another first.
        """
        require(principal, Role.ENGINEER)
        org = principal.org_id
        with self.meta.transaction():
            rec = self._record(principal, name, version, None)
            if rec["stage"] == "production":
                raise Conflict(
                    f"Version {version} of model {name!r} is in production and cannot be deleted.",
                    hint="Promote another version to production or archive this one first.",
                )
            self.meta.delete(org, _MODEL, rec["id"])
            # Identical bytes (the same model registered twice) share one content-addressed blob.
            shared = self.meta.find(org, _MODEL, artefact_sha256=rec["artefact_sha256"])
        if not shared:  # only after the commit, so a rolled-back delete keeps its artefact
            self.files.delete(org, rec["artefact_sha256"])

    # -- reading ------------------------------------------------------------------------------

    def get(
        self,
        principal: Principal,
        name: str,
        version: int | None = None,
        stage: str | None = None,
    ) -> ModelVersion:
        """One version: the given one, the one in ``stage``, or else the latest."""
        require(principal, Role.VIEWER)
        return ModelVersion.from_record(self._record(principal, name, version, stage))

    def load(
        self,
        principal: Principal,
        name: str,
        version: int | None = None,
        stage: str | None = None,
    ) -> Any:
        """The model object of a version, after verifying its artefact's checksum.

        Raises StorageError when the stored bytes do not match the record (they are then never
        unpickled) or the unpickled object is not of the recorded class; warns with
        :class:`ModelVersionDriftWarning` when library versions differ from training time.
        """
        require(principal, Role.VIEWER)
        mv = ModelVersion.from_record(self._record(principal, name, version, stage))
        data = self._read_verified(mv)
        obj = pickle.loads(data)  # verified against our own record above
        actual = _class_path(type(obj))
        if actual != mv.class_path:
            raise StorageError(
                f"Model {mv.name!r} version {mv.version} loaded as {actual}, "
                f"but was registered as {mv.class_path}."
            )
        chosen = mv.params.get("decision_threshold")
        if chosen is not None and getattr(obj, "threshold_", None) is not None:
            obj.threshold_ = float(chosen)  # chosen by a person (set_threshold)
        drift = _drift(mv.libraries)
        if drift:
            warnings.warn(
                f"Model {mv.name!r} version {mv.version} was trained with "
                + ", ".join(f"{lib} {was} (running {now})" for lib, was, now in drift)
                + "; its predictions may differ. Retrain it to remove this warning.",
                ModelVersionDriftWarning,
                stacklevel=2,
            )
        return obj

    # ``list`` is defined last: inside the class body it shadows the builtin for annotations.
    def list(self, principal: Principal, name: str | None = None) -> builtins.list[ModelVersion]:
        """All versions (of one name, or of every name), by name then version."""
        require(principal, Role.VIEWER)
        if name is None:
            recs = self.meta.find(principal.org_id, _MODEL)
        else:
            recs = self.meta.find(principal.org_id, _MODEL, name=name)
        versions = [ModelVersion.from_record(r) for r in recs]
        return sorted(versions, key=lambda v: (v.name, v.version))

    # -- helpers ------------------------------------------------------------------------------

    def _record(
        self, principal: Principal, name: str, version: int | None, stage: str | None
    ) -> Record:
        check_name(name, "model name")
        equals: dict[str, Any] = {"name": name}
        if version is not None:
            equals["version"] = int(version)
        if stage is not None:
            _check_stage(stage)
            equals["stage"] = stage
        recs = self.meta.find(principal.org_id, _MODEL, **equals)
        if not recs:
            what = f"model {name!r}"
            if version is not None:
                what += f" version {version}"
            if stage is not None:
                what += f" in stage {stage!r}"
            raise NotFound(
                f"No {what}.",
                code="record.not_found.model",
                params={"name": name, "version": "" if version is None else version},
            )
        return max(recs, key=lambda r: int(r["version"]))

    def _read_verified(self, mv: ModelVersion) -> bytes:
        try:
            with self.files.open(mv.org_id, mv.artefact_sha256) as fh:
                # Never read more than the record says: a swapped-in huge file is rejected too.
                data = _read_at_most(fh, mv.artefact_size + 1)
        except NotFound as exc:
            raise StorageError(
                f"The artefact of model {mv.name!r} version {mv.version} is missing."
            ) from exc
        if len(data) != mv.artefact_size or hashlib.sha256(data).hexdigest() != mv.artefact_sha256:
            raise StorageError(
                f"The artefact of model {mv.name!r} version {mv.version} is corrupted "
                "(checksum mismatch); it was not loaded.",
                hint="Register the model again from its training run.",
            )
        return data


# -- provenance -------------------------------------------------------------------------------


def library_versions() -> dict[str, str | None]:
    """Versions of Python and of the libraries a model depends on (None: not installed)."""
    return dict(_library_versions())


@cache
def _library_versions() -> dict[str, str | None]:
    # Distribution metadata, not imports: recording lightgbm's version must not import it.
    out: dict[str, str | None] = {"python": platform.python_version()}
    for key, dist in _LIBRARIES.items():
        try:
            out[key] = importlib_metadata.version(dist)
        except importlib_metadata.PackageNotFoundError:
            out[key] = None
    return out


@cache
def code_version() -> str:
    """``git:<commit>`` (``-dirty`` with uncommitted changes) in a checkout, else the version.

    Cached per process: code changed after start-up is not what this process runs anyway.
    """
    root = Path(__file__).resolve().parents[3]  # src/openkamp/ml/registry.py -> checkout
    if (
        "site-packages" not in root.parts
        and (root / ".git").exists()
        and (root / "pyproject.toml").exists()
    ):
        try:
            commit = _git(root, "rev-parse", "HEAD").stdout.strip()
            dirty = _git(root, "status", "--porcelain", "--untracked-files=no").stdout.strip()
            if commit:
                return f"git:{commit}" + ("-dirty" if dirty else "")
        except (OSError, subprocess.SubprocessError):
            pass
    return f"openkamp=={_library_versions()['openkamp']}"


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        timeout=5,
        check=True,
    )


def _drift(recorded: Mapping[str, str | None]) -> list[tuple[str, str, str]]:
    current = _library_versions()
    out = []
    for lib, was in sorted(recorded.items()):
        if was is None:
            continue  # not installed at training time, so the model cannot depend on it
        now = current.get(lib)
        if now != was:
            out.append((lib, was, now or "not installed"))
    return out


# -- small helpers ----------------------------------------------------------------------------


def _read_at_most(fh: BinaryIO, limit: int) -> bytes:
    # A raw or remote stream may return fewer bytes than asked for before its end.
    chunks = []
    while limit > 0 and (chunk := fh.read(min(limit, 1 << 24))):
        chunks.append(chunk)
        limit -= len(chunk)
    return b"".join(chunks)


def _class_path(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _with_fence(recs: Sequence[Record], fence: str) -> Record | None:
    """The record among ``recs`` registered with ``fence`` (the first such version)."""
    hits = [r for r in recs if _parse_json(r.get("provenance")).get("fence") == fence]
    return min(hits, key=lambda r: int(r["version"])) if hits else None


def _check_stage(stage: str) -> None:
    if stage not in STAGES:
        raise InvalidInput(f"Unknown stage {stage!r}.", hint=f"Use one of: {', '.join(STAGES)}.")


def _dump_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_jsonable)


def _jsonable(value: Any) -> Any:
    # numpy scalars and arrays are common in metrics and params; anything else is shown as text.
    if hasattr(value, "tolist"):
        return value.tolist()
    return repr(value)


def _parse_json(value: Any) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if isinstance(value, str):  # the store may hand back text or (if it parses JSON) a dict
        value = json.loads(value)
    return dict(value)
