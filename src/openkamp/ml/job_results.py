"""What model jobs return: a model version, scored rows and where all rows download, as JSON.

A job's result is JSON kept in its record; the API answers it and the pages read it. The same
functions shape it whether the job ran in the server's pool or on a Dask worker
(:mod:`openkamp.ml.jobs`, :mod:`openkamp.ml.score_jobs`), and the API's routes answer with them
when they train or score at once (``?wait=true``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd

from openkamp.ml.registry import ModelVersion

__all__ = ["download_url", "rows_result", "version_result"]


def version_result(mv: ModelVersion) -> dict[str, Any]:
    """One registered version (the API's ``ModelInfo``)."""
    prov = mv.provenance
    return {
        "name": mv.name,
        "version": mv.version,
        "task": mv.task,
        "stage": mv.stage,
        "metrics": mv.metrics,
        "params": mv.params,
        "description": mv.description,
        "created_at": None if mv.created_at is None else mv.created_at.isoformat(),
        "created_by": mv.created_by,
        "dataset_id": prov.get("dataset_id"),
        "schema_hash": prov.get("schema_hash"),
        "target": prov.get("target"),
        "inputs": (prov.get("training") or {}).get("inputs"),
    }


def rows_result(df: pd.DataFrame, limit: int, total: int | None = None) -> dict[str, Any]:
    """A scored frame as JSON rows (index as ``index``), NaN as null; ``total``: the rows
    there are when ``df`` holds only the first of them (the API's ``Rows``)."""
    total = len(df) if total is None else total
    if df.shape[1] == 0:
        return {"rows": [], "total": total, "truncated": total > 0}
    out = df.head(limit).reset_index()
    first = out.columns[0]
    out = out.rename(columns={first: "index" if first in (None, "level_0") else first})
    rows = out.astype(object).where(pd.notna(out), None).to_dict("records")
    for row in rows:
        for k, v in row.items():
            if isinstance(v, pd.Timestamp | datetime):
                row[k] = v.isoformat()
            elif isinstance(v, np.generic):
                row[k] = v.item()
    return {"rows": rows, "total": total, "truncated": total > limit}


def download_url(name: str, token: str) -> str:
    """Where every row of a kept scored result downloads as CSV (the API's route)."""
    return f"/api/v1/models/{quote(name, safe='')}/scored/{token}"
