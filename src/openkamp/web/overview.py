"""Factory overview: which machine needs attention now (state, production, trends), alerts
with acknowledge, recent jobs. The equipment tree helpers serve the signal explorer too."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from openkamp.alerts import describe, machine_states
from openkamp.alerts.status import LEVELS
from openkamp.i18n import t
from openkamp.web.page import Page, Posting, _when, environment, lang_of, platform_of, render

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
    from openkamp.jobs.texts import localized

    jobs = getattr(platform_of(request), "jobs", None)
    lang = lang_of(request)
    return (
        [] if jobs is None else [localized(j, lang) for j in jobs.list(who.principal, limit=limit)]
    )


def sparkline(values: Sequence[float | None], width: int = 120, height: int = 24) -> str:
    """The SVG path of a small trend line (a missing value breaks the line)."""
    nums = [v for v in values if v is not None and v == v]
    if len(nums) < 2:
        return ""
    lo, hi = min(nums), max(nums)
    span = (hi - lo) or 1.0
    step = width / max(1, len(values) - 1)
    d, pen = [], False
    for i, v in enumerate(values):
        if v is None or v != v:
            pen = False
            continue
        y = height - 2 - (v - lo) / span * (height - 4)
        d.append(f"{'L' if pen else 'M'}{i * step:.1f} {y:.1f}")
        pen = True
    return "".join(d)


def ago(seconds: float | None, lang: str) -> str:
    """ "3 minutes ago" in the page's language."""
    if seconds is None:
        return ""
    s = max(0.0, seconds)
    for limit, unit, key in (
        (120, 1, "alerts.ago.seconds"),
        (7200, 60, "alerts.ago.minutes"),
        (172800, 3600, "alerts.ago.hours"),
        (float("inf"), 86400, "alerts.ago.days"),
    ):
        if s < limit:
            return t(key, lang, n=int(s // unit))
    return ""


def spacing_text(seconds: float | None, lang: str) -> str:
    if not seconds:
        return ""
    if seconds < 120:
        return t("alerts.every.seconds", lang, n=f"{seconds:.3g}")
    if seconds < 7200:
        return t("alerts.every.minutes", lang, n=f"{seconds / 60:.3g}")
    return t("alerts.every.hours", lang, n=f"{seconds / 3600:.3g}")


def signal_labels(kamp: Any, me: Any, lang: str) -> dict[tuple[int, str], str]:
    """Each signal's display name in ``lang``, by its machine's id and its key (the name an
    alert's detail lists)."""
    return {(int(s.equipment_id), s.name): display(s, lang) for s in kamp.assets.list_signals(me)}


def alert_view(
    a: Mapping[str, Any],
    lang: str,
    tz: Any,
    names: Mapping[int, str],
    labels: Mapping[tuple[int, str], str] | None = None,
) -> dict[str, Any]:
    """An alert as the overview's list shows it: its text in ``lang``, its machine's name and
    the signals that explain it: their keys (``signals``, what the page's selectors and the
    API use) and their display names (``signal_labels``, from ``labels``; a key no signal of
    the machine has, a model's derived feature for one, is shown as it is)."""
    detail = a.get("detail") or {}
    keys = [str(k) for k in detail.get("signals") or detail.get("top_signals") or []]
    eq = a.get("equipment_id")
    shown = labels or {}
    return {
        **a,
        "text": describe(dict(a), lang, tz),
        "machine": names.get(a["equipment_id"], ""),
        "signals": keys,
        "signal_labels": [shown.get((int(eq), k), k) if eq is not None else k for k in keys],
    }


def alert_html(view: Mapping[str, Any], lang: str, tz: Any, can_write: bool) -> str:
    """One item of the overview's alert list (``_alert_item.html``), for the live events: its
    acknowledge form's CSRF token is left empty (live.js fills in the page's)."""
    return environment().get_template("_alert_item.html").render(
        a=view, who=SimpleNamespace(can_write=can_write), csrf="",
        _=lambda key, **kw: t(key, lang, **kw),
        when=lambda v, fmt="%Y-%m-%d %H:%M": _when(v, tz, fmt),
    )  # fmt: skip


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, who: Page) -> HTMLResponse:
    kamp = platform_of(request)
    lang = lang_of(request)
    me = who.principal
    open_alerts = kamp.alerts.list(me, status="open", limit=500)
    machines = machine_states(kamp, me, lang=lang, alerts=open_alerts)
    shown = kamp.alerts.list(me, limit=30)  # open first, then the latest acknowledged
    names = {m.id: m.label for m in machines}
    production = [v for v in kamp.models.list(me) if v.stage == "production"]
    levels = {level: sum(1 for m in machines if m.level == level) for level in LEVELS}
    labels = signal_labels(kamp, me, lang)
    tz = kamp.settings.tz
    return render(
        request,
        "overview.html",
        who,
        machines=machines,
        levels=levels,
        alerts=[alert_view(a, lang, tz, names, labels) for a in shown],
        open_count=len(open_alerts),
        jobs=recent_jobs(request, who),
        production=production,
        sparkline=sparkline,
        ago=lambda s: ago(s, lang),
        spacing_text=lambda s: spacing_text(s, lang),
        describe=lambda a: describe(a, lang, tz),
        simulator=simulator_panel(request, who, lang),
    )  # fmt: skip


def simulator_panel(request: Request, who: Any, lang: str) -> dict[str, Any] | None:
    """The live demo's simulator panel: its machines and faults, the faults going on; None
    unless the demo's simulator runs in this process for the viewer's organisation and the
    viewer may inject faults (engineers and administrators)."""
    demo = getattr(request.app.state, "simulator", None)
    if demo is None or not who.can_write or demo.org_id != who.principal.org_id:
        return None
    state = demo.status(who.principal)
    for m in state["machines"]:
        m["label"] = m["name_ko"] if lang == "ko" else m["name_en"]
        for f in m["faults"]:
            f["label"] = t(f"live_ui.fault.{f['fault']}", lang)
    for i in state["injections"]:
        i["label"] = t(f"live_ui.fault.{i['fault']}", lang)
    state["tz"] = str(platform_of(request).settings.timezone)  # times as the page shows them
    return state


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge(request: Request, who: Posting, alert_id: int) -> RedirectResponse:
    platform_of(request).alerts.acknowledge(who.principal, alert_id)
    return RedirectResponse("/#alerts", status_code=303)
