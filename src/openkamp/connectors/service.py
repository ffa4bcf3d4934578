"""Connections of an organisation: configure, start, stop, watch (``Platform.connections``).

A connection is a ``connection`` record (name, kind, config, enabled, state, last error, saved
counters). Engineers change connections, viewers read them; every call is scoped to the acting
principal's organisation. Secret config values (``Secret`` fields: passwords, keys) are never
returned: answers show ``********``, and an update that sends that mask back keeps the stored
secret.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from openkamp.connectors.base import MASK, Connector, masked, secret_fields
from openkamp.connectors.runtime import LiveRuntime, connector_kinds
from openkamp.core.assets import check_name
from openkamp.core.errors import InvalidInput
from openkamp.core.tenancy import Principal, Role, require
from openkamp.storage.metadata.base import MetadataStore


def config_problem(kind: str, exc: ValidationError) -> InvalidInput:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in err.get('loc', ())) or 'config'}: {err.get('msg', '')}"
        for err in exc.errors()[:10]
    )
    return InvalidInput(
        f"The {kind} connection's settings are wrong: {problems}",
        code="connectors.bad_config",
        params={"kind": kind, "problems": problems},
    )


class ConnectorService:
    """Create, change, start, stop and watch the organisation's connections."""

    def __init__(self, meta: MetadataStore, live: LiveRuntime) -> None:
        self.meta = meta
        self.live = live

    # -- kinds --------------------------------------------------------------------------------

    @staticmethod
    def kinds() -> dict[str, type[Connector]]:
        """The installed connector classes by kind (built-in and third-party plugins)."""
        return connector_kinds()

    def _kind(self, kind: str) -> type[Connector]:
        kinds = self.kinds()
        cls = kinds.get(kind)
        if cls is None:
            raise InvalidInput(
                f"No connector of kind {kind!r} is installed (installed: {sorted(kinds)}).",
                code="connectors.unknown_kind",
                params={"kind": kind, "kinds": ", ".join(sorted(kinds))},
            )
        return cls

    def _config(
        self, cls: type[Connector], config: dict[str, Any], stored: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The checked config as stored (secrets in full; a masked secret keeps the stored one)."""
        if not isinstance(config, dict):
            raise InvalidInput("A connection's config is a set of named settings.",
                               code="connectors.bad_config",
                               params={"kind": cls.kind, "problems": "config"})  # fmt: skip
        given = dict(config)
        for name in secret_fields(cls.Config):
            if given.get(name) == MASK:
                given[name] = (stored or {}).get(name, "")
        try:
            model = cls.Config.model_validate(given)
        except ValidationError as exc:
            raise config_problem(cls.kind, exc) from exc
        return model.model_dump(mode="json") | {
            name: getattr(model, name) for name in secret_fields(cls.Config)
        }

    # -- records ------------------------------------------------------------------------------

    def public(self, rec: dict[str, Any]) -> dict[str, Any]:
        """A record as answers show it: secrets masked, the live status beside it."""
        cls = self.kinds().get(rec["kind"])
        config = dict(rec.get("config") or {})
        shown = masked(cls.Config, config) if cls is not None else {}
        return {
            "id": rec["id"],
            "name": rec["name"],
            "kind": rec["kind"],
            "config": shown,
            "enabled": bool(rec["enabled"]),
            "created_by": rec.get("created_by", ""),
            "created_at": rec["created_at"],
            "updated_at": rec["updated_at"],
            "status": self.live.status(rec),
        }

    def list(self, principal: Principal) -> list[dict[str, Any]]:
        require(principal, Role.VIEWER)
        return [self.public(r) for r in self.meta.find(principal.org_id, "connection")]

    def get(self, principal: Principal, connection_id: int) -> dict[str, Any]:
        require(principal, Role.VIEWER)
        return self.public(self.meta.get(principal.org_id, "connection", connection_id))

    def find(self, principal: Principal, name: str) -> dict[str, Any] | None:
        """The raw record named ``name`` (secrets included: for the platform's own use)."""
        found = self.meta.find(principal.org_id, "connection", name=name)
        return found[0] if found else None

    def create(
        self,
        principal: Principal,
        name: str,
        kind: str,
        config: dict[str, Any] | None = None,
        *,
        enabled: bool = True,
    ) -> dict[str, Any]:
        """A new connection; an enabled one starts at once when the runtime runs."""
        require(principal, Role.ENGINEER)
        check_name(name, "connection name")
        cls = self._kind(kind)
        stored = self._config(cls, config or {})
        now = datetime.now(UTC)
        rec = self.meta.insert(
            principal.org_id,
            "connection",
            {
                "name": name, "kind": kind, "config": stored, "enabled": int(enabled),
                "state": "stopped", "stats": {}, "created_by": principal.name,
                "created_at": now, "updated_at": now,
            },
        )  # fmt: skip
        if enabled:
            self.live.start_connection(rec)
        return self.public(self.meta.get(principal.org_id, "connection", rec["id"]))

    def update(
        self,
        principal: Principal,
        connection_id: int,
        *,
        name: str | None = None,
        config: dict[str, Any] | None = None,
        enabled: bool | None = None,
    ) -> dict[str, Any]:
        """Change a connection; a running one restarts with the new settings."""
        require(principal, Role.ENGINEER)
        rec = self.meta.get(principal.org_id, "connection", connection_id)
        values: dict[str, Any] = {"updated_at": datetime.now(UTC)}
        if name is not None and name != rec["name"]:
            values["name"] = check_name(name, "connection name")
        if config is not None:
            cls = self._kind(rec["kind"])
            values["config"] = self._config(cls, config, dict(rec.get("config") or {}))
        if enabled is not None:
            values["enabled"] = int(enabled)
        self.live.stop_connection(connection_id)
        rec = self.meta.update(principal.org_id, "connection", connection_id, values)
        if rec["enabled"]:
            self.live.start_connection(rec)
        else:
            self.meta.update(principal.org_id, "connection", connection_id, {"state": "stopped"})
        return self.get(principal, connection_id)

    def start(self, principal: Principal, connection_id: int) -> dict[str, Any]:
        """Enable and run a connection (it also resumes after a restart)."""
        return self.update(principal, connection_id, enabled=True)

    def stop(self, principal: Principal, connection_id: int) -> dict[str, Any]:
        """Stop a connection and keep it stopped (also after a restart)."""
        return self.update(principal, connection_id, enabled=False)

    def delete(self, principal: Principal, connection_id: int) -> None:
        require(principal, Role.ENGINEER)
        self.meta.get(principal.org_id, "connection", connection_id)
        self.live.stop_connection(connection_id)
        self.meta.delete(principal.org_id, "connection", connection_id)
        self.live.forget(connection_id)

    def status(self, principal: Principal, connection_id: int) -> dict[str, Any]:
        require(principal, Role.VIEWER)
        rec = self.meta.get(principal.org_id, "connection", connection_id)
        return {"id": rec["id"], "name": rec["name"], **self.live.status(rec)}
