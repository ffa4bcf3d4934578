"""What a pooled compute-to-data job and its valuation look like to their consumer and owners
(:mod:`openkamp.sharing.pooled`): counts, metrics, shares and names, never a row."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from openkamp.i18n import t

__all__ = ["as_json", "job_view", "org_names", "status_pair", "valuation_view"]


def as_json(value: Any) -> Any:
    if isinstance(value, str):
        return json.loads(value) if value else None
    return value


def _iso(v: Any) -> Any:
    if isinstance(v, datetime):
        return (v if v.tzinfo else v.replace(tzinfo=UTC)).isoformat()
    return v


def org_names(meta: Any) -> dict[int, str]:
    from openkamp.storage.metadata.schema import orgs

    with meta._read() as conn:
        rows = conn.execute(select(orgs.c.id, orgs.c.name)).all()
    return {int(r.id): str(r.name) for r in rows}


def status_pair(status: str) -> dict[str, str]:
    return {lang: t(f"web.job.status.{status}", lang) for lang in ("ko", "en")}


def job_view(meta: Any, settlement: Any, rec: Mapping[str, Any]) -> dict[str, Any]:
    """A pooled job as its consumer and owners see it: no log, no rows."""
    params = as_json(rec.get("params")) or {}
    result = as_json(rec.get("result")) or {}
    names = org_names(meta)
    consumer = int(rec["org_id"])
    progress = rec.get("progress")
    model = None
    if result.get("model") is not None:
        model = {k: result.get(k) for k in ("model", "version", "metrics", "rows")}
    valuation = None
    if result.get("valuation_id"):
        try:
            v = settlement.store.valuation(int(result["valuation_id"]))
        except (TypeError, ValueError):
            v = None
        if v is not None:
            from openkamp.sharing.settlement_service import _valuation

            valuation = valuation_view(meta, _valuation(v), rec, names=names)
    contracts = params.get("contracts") or []
    owners = params.get("owners") or []
    datasets = params.get("datasets") or [None] * len(contracts)
    error = rec.get("error")
    return {
        "id": int(rec["id"]), "status": rec.get("status"),
        "progress": None if progress is None or progress != progress else float(progress),
        "message": rec.get("message"), "error": error,
        "task": params.get("task"), "model": params.get("model"), "target": params.get("target"),
        "validation": params.get("validation"),
        "consumer_org_id": consumer, "consumer": names.get(consumer, ""),
        "contracts": [{"contract_id": int(c), "owner_org_id": int(o),
                       "owner": names.get(int(o), ""), "dataset": d}
                      for c, o, d in zip(contracts, owners, datasets, strict=False)],
        "created_at": _iso(rec.get("created_at")), "finished_at": _iso(rec.get("finished_at")),
        "result": model, "valuation": valuation,
    }  # fmt: skip


def valuation_view(
    meta: Any, v: Any, job: Mapping[str, Any] | None, *, names: dict[int, str] | None = None
) -> dict[str, Any]:
    """A valuation with its owners named: share, standard error (0 for exact values) and the
    weight a payment gives it (negative shares weigh 0; none positive: equal weights)."""
    names = names if names is not None else org_names(meta)
    result = (as_json(job.get("result")) or {}) if job is not None else {}
    about = {int(o["org_id"]): o for o in result.get("owners") or []}
    shares = {int(k): float(s) for k, s in v.shares.items()}
    positive = {k: s for k, s in shares.items() if s > 0}
    total = math.fsum(positive.values())
    weights = ({k: positive.get(k, 0.0) / total for k in shares} if total > 0
               else {k: 1.0 / len(shares) for k in shares})  # fmt: skip
    errors = v.std_errors or {}
    empty = result.get("empty_value")
    return {
        "id": v.id, "pooled_ref": v.pooled_ref,
        "job_id": None if job is None else int(job["id"]),
        "consumer_org_id": v.consumer_org_id, "consumer": names.get(v.consumer_org_id, ""),
        "method": v.method, "metric": v.metric, "full_value": v.full_value,
        "empty_value": None if empty is None else float(empty),
        "total": math.fsum(shares.values()), "samples": v.samples,
        "validation": result.get("validation"),
        "created_at": _iso(v.created_at),
        "owners": [
            {"org_id": k, "name": names.get(k, ""), "share": s,
             "std_error": float(errors.get(k, 0.0)), "weight": weights[k],
             "contract_id": (about.get(k) or {}).get("contract_id"),
             "dataset": (about.get(k) or {}).get("dataset"),
             "rows": (about.get(k) or {}).get("rows")}
            for k, s in shares.items()
        ],
    }  # fmt: skip
