"""Factory overview: the equipment tree with each signal's latest value, recent jobs, alerts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from openkamp.web.page import Page, lang_of, platform_of, render

router = APIRouter()


def display(item: Any, lang: str) -> str:
    """A node's or signal's name in the page's language (its machine name as a fallback)."""
    own = getattr(item, f"name_{lang}", "") or ""
    return str(own or getattr(item, "name_en", "") or getattr(item, "name_ko", "") or item.name)


@dataclass
class TreeNode:
    id: int
    kind: str
    name: str
    label: str
    path: str
    children: list[TreeNode] = field(default_factory=list)
    signals: list[dict[str, Any]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


def asset_tree(request: Request, who: Any, *, latest: bool = True) -> list[TreeNode]:
    """The organisation's site → line → equipment tree; with ``latest``, each signal's last
    value and time (one query for all signals)."""
    kamp = platform_of(request)
    lang = lang_of(request)
    me = who.principal
    nodes = kamp.assets.list_nodes(me)
    signals = kamp.assets.list_signals(me)
    label_cols = kamp.assets.list_label_columns(me)
    last: dict[int, dict[str, Any]] = {}
    if latest and signals:
        table = kamp.query.latest(me, [s.id for s in signals])
        for row in table.to_pylist():
            last[int(row["signal_id"])] = row
    by_parent: dict[int | None, list[Any]] = {}
    for n in nodes:
        by_parent.setdefault(n.parent_id, []).append(n)

    def build(node: Any, prefix: str) -> TreeNode:
        path = f"{prefix}/{node.name}" if prefix else node.name
        out = TreeNode(node.id, node.kind.value, node.name, display(node, lang), path)
        out.children = [build(c, path) for c in by_parent.get(node.id, [])]
        if node.kind.value == "equipment":
            for s in signals:
                if s.equipment_id == node.id:
                    row = last.get(s.id, {})
                    out.signals.append(
                        {
                            "id": s.id,
                            "name": s.name,
                            "label": display(s, lang),
                            "unit": s.unit,
                            "value": row.get("value"),
                            "ts": row.get("ts"),
                        }
                    )
            out.labels = [display(c, lang) for c in label_cols if c.equipment_id == node.id]
        return out

    return [build(n, "") for n in by_parent.get(None, [])]


def equipment_of(tree: list[TreeNode]) -> list[TreeNode]:
    """Every equipment node of a tree, in tree order."""
    out: list[TreeNode] = []

    def walk(nodes: list[TreeNode]) -> None:
        for n in nodes:
            if n.kind == "equipment":
                out.append(n)
            walk(n.children)

    walk(tree)
    return out


def recent_jobs(request: Request, who: Any, limit: int = 8) -> list[dict[str, Any]]:
    jobs = getattr(platform_of(request), "jobs", None)
    return [] if jobs is None else list(jobs.list(who.principal, limit=limit))


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, who: Page) -> HTMLResponse:
    kamp = platform_of(request)
    tree = asset_tree(request, who)
    production = [v for v in kamp.models.list(who.principal) if v.stage == "production"]
    return render(
        request,
        "overview.html",
        who,
        tree=tree,
        equipment_count=len(equipment_of(tree)),
        jobs=recent_jobs(request, who),
        production=production,
    )
