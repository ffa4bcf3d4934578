"""A factory's asset model from its OPC UA server in one step: browse, propose, apply.

:func:`browse` walks the server's address space from the Objects folder down (the standard's
own ``Server`` object and everything else in namespace 0 left out) and returns a
:class:`Proposal`: objects that hold numeric variables become equipment, the objects above them
sites and lines, and the numeric variables (every integer and floating type, booleans as 0 / 1)
signals with

* the unit from the ``EngineeringUnits`` property (``EUInformation``: its display name, or for a
  UNECE code without one the usual text, e.g. ``CEL`` → ``°C``; see :data:`UNECE_TEXT`),
* the range from ``EURange`` (low → min, high → max),
* display names and descriptions as the server gives them (Korean text kept as is): a display
  name with Hangul is the Korean name, otherwise the English one; when only the description is
  Korean, its first phrase (up to `` — ``, `` (`` or ``:``) is proposed as the Korean name,
* whether the server keeps its history (``Historizing``: the connection can backfill gaps).

Where the objects are not three deep, the levels are folded: equipment straight under Objects
goes to a site ``opcua`` / line ``line1``; under one object, that object is the site and the
line; deeper, the top object is the site and the others, joined by ``.``, the line.

**Fast on big servers.** Each level of the tree is browsed with one Browse request per
``batch`` nodes (continuation points followed with BrowseNext), and every attribute and
property value is read with one Read request per ``batch`` values: 5,000 variables take a few
dozen requests, not tens of thousands.

:func:`apply` creates what the (possibly edited) proposal selects through the asset service
(the acting principal's role checks: engineers) and an ``opcua`` connection mapping every
selected variable to its signal.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from openkamp.connectors.opcua import _ua, make_client, problem
from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec
from openkamp.core.errors import InvalidInput, OpenKampError

if TYPE_CHECKING:
    from openkamp.core.tenancy import Principal
    from openkamp.platform import Platform

#: Numeric data types of namespace 0 (Part 6): Boolean … Double, Number, Integer, UInteger,
#: Decimal, Duration.
NUMERIC_TYPES = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 26, 27, 28, 50, 290}
#: Usual text of UNECE Recommendation 20 codes (OPC UA Part 8's EUInformation unit ids), used
#: when a server gives a code without a display name.
UNECE_TEXT = {
    "CEL": "°C", "FAH": "°F", "KEL": "K", "BAR": "bar", "MBR": "mbar", "PAL": "Pa",
    "KPA": "kPa", "MPA": "MPa", "SEC": "s", "MIN": "min", "HUR": "h", "MTR": "m", "CMT": "cm",
    "MMT": "mm", "4H": "µm", "RPM": "rpm", "P1": "%", "AMP": "A", "4K": "mA", "VLT": "V",
    "WTT": "W", "KWT": "kW", "KWH": "kWh", "KGM": "kg", "GRM": "g", "NEW": "N", "NU": "N·m",
    "HTZ": "Hz", "L2": "L/min", "MQH": "m³/h", "LTR": "L", "H81": "mm/min", "C16": "mm/s",
    "MTS": "m/s", "K40": "g",
}  # fmt: skip
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_BAD_KEY = re.compile(r"[^\w.\-]+")


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Named(_Closed):
    """What every proposed node has: a key and its names (Korean text kept as it is)."""

    key: str
    name_ko: str = ""
    name_en: str = ""
    description: str = ""


class ProposedSignal(_Named):
    node_id: str = Field(description="The variable's NodeId")
    key: str = Field(description="Signal key (from the BrowseName)")
    unit: str = Field("", description="From EngineeringUnits")
    min_value: float | None = Field(None, description="From EURange (low)")
    max_value: float | None = Field(None, description="From EURange (high)")
    data_type: str = Field("", description="OPC UA data type, e.g. Double")
    historizing: bool = Field(False, description="The server keeps its history")
    selected: bool = True


class ProposedEquipment(_Named):
    node_id: str
    selected: bool = True
    signals: list[ProposedSignal] = Field(default_factory=list)


class ProposedLine(_Named):
    node_id: str | None = None
    equipment: list[ProposedEquipment] = Field(default_factory=list)


class ProposedSite(_Named):
    node_id: str | None = None
    lines: list[ProposedLine] = Field(default_factory=list)


class Proposal(_Closed):
    """What a server's address space proposes (nothing is stored by making one)."""

    endpoint: str
    sites: list[ProposedSite] = Field(default_factory=list)
    nodes_browsed: int = Field(0, description="Objects and variables seen")
    variables: int = Field(0, description="Variables seen (properties not counted)")
    signals: int = Field(0, description="Numeric variables proposed as signals")
    skipped: int = Field(0, description="Variables left out: not numbers")
    requests: int = Field(0, description="Browse and Read requests sent")
    seconds: float = Field(0.0, description="Time the browse took")


# --------------------------------------------------------------------------- browsing


@dataclass
class _Node:
    node_id: Any  # ua.NodeId
    browse_name: str
    display: str
    display_locale: str
    is_object: bool
    parent: _Node | None
    children: list[_Node] = field(default_factory=list)
    description: str = ""
    data_type: int | None = None
    data_type_name: str = ""
    historizing: bool = False
    eu_node: Any = None
    range_node: Any = None
    unit: str = ""
    low: float | None = None
    high: float | None = None


class _Browser:
    def __init__(self, client: Any, batch: int, max_nodes: int) -> None:
        self.client = client
        self.batch = batch
        self.max_nodes = max_nodes
        self.requests = 0

    async def children(self, parents: Sequence[Any]) -> list[list[Any]]:
        """The hierarchical references (objects and variables) of each parent, all pages."""
        ua = _ua()
        out: list[list[Any]] = []
        for lo in range(0, len(parents), self.batch):
            chunk = parents[lo : lo + self.batch]
            params = ua.BrowseParameters()
            params.View = ua.ViewDescription()
            params.RequestedMaxReferencesPerNode = 0
            params.NodesToBrowse = []
            for nid in chunk:
                d = ua.BrowseDescription()
                d.NodeId = nid
                d.BrowseDirection = ua.BrowseDirection.Forward
                d.ReferenceTypeId = ua.NodeId(ua.ObjectIds.HierarchicalReferences)
                d.IncludeSubtypes = True
                d.NodeClassMask = ua.NodeClass.Object | ua.NodeClass.Variable
                d.ResultMask = ua.BrowseResultMask.All
                params.NodesToBrowse.append(d)
            self.requests += 1
            results = await self.client.uaclient.browse(params)
            refs = [list(r.References or []) for r in results]
            points = {k: r.ContinuationPoint for k, r in enumerate(results) if r.ContinuationPoint}
            while points:
                nxt = ua.BrowseNextParameters()
                nxt.ReleaseContinuationPoints = False
                nxt.ContinuationPoints = list(points.values())
                self.requests += 1
                more = await self.client.uaclient.browse_next(nxt)
                keys = list(points)
                points = {}
                for k, r in zip(keys, more, strict=True):
                    refs[k] += list(r.References or [])
                    if r.ContinuationPoint:
                        points[k] = r.ContinuationPoint
            out += refs
        return out

    async def read(self, pairs: Sequence[tuple[Any, Any]]) -> list[Any]:
        """DataValues of (NodeId, AttributeId) pairs, ``batch`` per Read request; a few
        requests in flight at once, so the server answers one while we decode another."""
        ua = _ua()
        gate = asyncio.Semaphore(4)

        async def one(chunk: Sequence[tuple[Any, Any]]) -> list[Any]:
            params = ua.ReadParameters()
            params.TimestampsToReturn = ua.TimestampsToReturn.Neither
            params.NodesToRead = []
            for nid, attr in chunk:
                rv = ua.ReadValueId()
                rv.NodeId = nid
                rv.AttributeId = attr
                params.NodesToRead.append(rv)
            async with gate:
                self.requests += 1
                return list(await self.client.uaclient.read(params))

        parts = await asyncio.gather(
            *(one(pairs[lo : lo + self.batch]) for lo in range(0, len(pairs), self.batch))
        )
        return [dv for part in parts for dv in part]


def _text(lt: Any) -> str:
    return str(getattr(lt, "Text", None) or "").strip()


def _value(dv: Any) -> Any:
    if dv is None or dv.Value is None or (dv.StatusCode is not None and dv.StatusCode.is_bad()):
        return None
    return dv.Value.Value


async def browse(
    endpoint: str,
    *,
    username: str = "",
    password: str = "",
    security_policy: str = "None",
    security_mode: str = "None",
    certificate_dir: str = "",
    client_certificate: str = "",
    client_private_key: str = "",
    client_key_password: str = "",
    server_certificate: str = "",
    timeout_s: float = 10.0,
    batch: int = 1000,
    max_nodes: int = 100_000,
) -> Proposal:
    """Browse a server and propose its asset tree and mapping (module docstring), over a
    secured channel where asked (the same settings as a connection's). A server that cannot
    be reached, refuses the login or the certificate, or does not offer the security asked
    raises :class:`InvalidInput` with the reason (code ``opcua.<kind>`` of
    :func:`~openkamp.connectors.opcua.problem`: ``opcua.no_server``, ``opcua.login_refused``,
    ``opcua.security_unsupported``, ``opcua.certificate_refused`` …)."""
    began = time.perf_counter()
    try:
        client = await make_client(
            endpoint, username=username, password=password, security_policy=security_policy,
            security_mode=security_mode, certificate_dir=certificate_dir,
            client_certificate=client_certificate, client_private_key=client_private_key,
            client_key_password=client_key_password, server_certificate=server_certificate,
            timeout_s=timeout_s,
        )  # fmt: skip
        await client.connect()
    except Exception as exc:
        raise _unreachable(endpoint, exc) from exc
    try:
        browser = _Browser(client, batch, max_nodes)
        nodes = await _walk(browser)
        await _attributes(browser, nodes)
    except OpenKampError:
        raise
    except Exception as exc:
        raise _unreachable(endpoint, exc) from exc
    finally:
        with contextlib.suppress(Exception):
            await client.disconnect()
    proposal = _propose(endpoint, nodes)
    proposal.requests = browser.requests
    proposal.seconds = round(time.perf_counter() - began, 3)
    return proposal


def _unreachable(endpoint: str, exc: BaseException) -> InvalidInput:
    """The error of a browse that failed: code ``opcua.<kind>`` (:func:`problem`)."""
    kind, reason = problem(exc)
    return InvalidInput(
        f"Cannot browse the OPC UA server {endpoint}: {reason}.",
        code=f"opcua.{kind}",
        params={"endpoint": endpoint, "reason": reason},
    )


async def _walk(browser: _Browser) -> list[_Node]:
    """Every object and variable under Objects (namespace 0 left out), level by level."""
    ua = _ua()
    objects = ua.NodeId(ua.ObjectIds.ObjectsFolder)
    seen: set[Any] = {objects}
    level: list[tuple[Any, _Node | None]] = [(objects, None)]
    nodes: list[_Node] = []
    while level:
        refs = await browser.children([nid for nid, _ in level])
        nxt: list[tuple[Any, _Node | None]] = []
        for (_, parent), found in zip(level, refs, strict=True):
            for ref in found:
                nid = ref.NodeId
                if not isinstance(nid, ua.NodeId):
                    continue
                if nid.NamespaceIndex == 0 or nid in seen:
                    continue
                seen.add(nid)
                is_object = ref.NodeClass == ua.NodeClass.Object
                name = str(ref.BrowseName.Name or "")
                if parent is not None and not parent.is_object:
                    # A variable's own properties: the units and the range.
                    if name == "EngineeringUnits":
                        parent.eu_node = nid
                    elif name == "EURange":
                        parent.range_node = nid
                    continue
                if ref.ReferenceTypeId == ua.NodeId(ua.ObjectIds.HasProperty):
                    continue  # an object's properties are not signals
                node = _Node(
                    nid, name, _text(ref.DisplayName),
                    str(getattr(ref.DisplayName, "Locale", "") or ""), is_object, parent,
                )  # fmt: skip
                nodes.append(node)
                if parent is not None:
                    parent.children.append(node)
                if len(nodes) > browser.max_nodes:
                    raise InvalidInput(
                        f"The server has more than {browser.max_nodes} nodes under Objects.",
                        code="opcua.too_many_nodes",
                        params={"max": browser.max_nodes},
                    )
                nxt.append((nid, node))
        level = nxt
    return nodes


async def _attributes(browser: _Browser, nodes: list[_Node]) -> None:
    """Descriptions, data types, history flags, units and ranges in batched Reads."""
    ua = _ua()
    attrs = ua.AttributeIds
    pairs: list[tuple[Any, Any]] = []
    where: list[tuple[_Node, str]] = []
    for n in nodes:
        pairs.append((n.node_id, attrs.Description))
        where.append((n, "description"))
        if not n.is_object:
            pairs += [(n.node_id, attrs.DataType), (n.node_id, attrs.Historizing)]
            where += [(n, "data_type"), (n, "historizing")]
            if n.eu_node is not None:
                pairs.append((n.eu_node, attrs.Value))
                where.append((n, "eu"))
            if n.range_node is not None:
                pairs.append((n.range_node, attrs.Value))
                where.append((n, "range"))
    values = await browser.read(pairs)
    for (n, what), dv in zip(where, values, strict=True):
        v = _value(dv)
        if v is None:
            continue
        if what == "description":
            n.description = _text(v)
        elif what == "data_type":
            if isinstance(v, ua.NodeId) and v.NamespaceIndex == 0 and isinstance(v.Identifier, int):
                n.data_type = v.Identifier
                n.data_type_name = ua.ObjectIdNames.get(v.Identifier, "")
        elif what == "historizing":
            n.historizing = bool(v)
        elif what == "eu":
            n.unit = unit_text(v)
        elif what == "range":
            low, high = getattr(v, "Low", None), getattr(v, "High", None)
            if isinstance(low, int | float) and isinstance(high, int | float) and low <= high:
                n.low, n.high = float(low), float(high)


def unece_code(unit_id: int) -> str:
    """The UNECE common code packed in an EUInformation UnitId (Part 8, 5.6.3)."""
    chars = []
    while unit_id > 0:
        chars.append(chr(unit_id & 0xFF))
        unit_id >>= 8
    code = "".join(reversed(chars))
    return code if code.isascii() and code.isalnum() else ""


def unit_text(eu: Any) -> str:
    """A unit as the platform keeps it (the text engineers read) from an EUInformation."""
    shown = unicodedata.normalize("NFKC", _text(getattr(eu, "DisplayName", None)))
    uid = getattr(eu, "UnitId", -1)
    code = unece_code(uid) if isinstance(uid, int) and uid > 0 else ""
    if shown and (len(shown) <= 12 or code not in UNECE_TEXT):
        return shown.replace("℃", "°C")
    return UNECE_TEXT.get(code, shown or code)


# --------------------------------------------------------------------------- the proposal


def key_of(name: str, fallback: str = "node") -> str:
    """A valid asset key from a BrowseName (characters a key may not hold become ``_``)."""
    key = _BAD_KEY.sub("_", unicodedata.normalize("NFC", name)).strip("_.-")
    return (key or fallback)[:128]


def _names(display: str, locale: str, description: str) -> dict[str, str]:
    """name_ko / name_en from a display name and a description (module docstring)."""
    out = {"name_ko": "", "name_en": ""}
    if display and (_HANGUL.search(display) or locale.lower().startswith("ko")):
        out["name_ko"] = display
    elif display:
        out["name_en"] = display
    if not out["name_ko"] and _HANGUL.search(description):
        first = re.split(r" — | - | \(|:", description, maxsplit=1)[0].strip()
        if first and len(first) <= 40 and _HANGUL.search(first):
            out["name_ko"] = first
    return {k: v[:200] for k, v in out.items()}


def _unique(key: str, taken: set[str]) -> str:
    out, k = key, 2
    while out in taken:
        out = f"{key}_{k}"[:128]
        k += 1
    taken.add(out)
    return out


def _propose(endpoint: str, nodes: list[_Node]) -> Proposal:
    sites: dict[str, ProposedSite] = {}
    lines: dict[tuple[str, str], ProposedLine] = {}
    variables = signals = skipped = 0
    site_keys: set[str] = set()
    line_keys: dict[str, set[str]] = {}
    eq_keys: dict[tuple[str, str], set[str]] = {}
    for n in nodes:
        if not n.is_object:
            variables += 1
            continue
        numeric = [c for c in n.children if not c.is_object and c.data_type in NUMERIC_TYPES]
        skipped += sum(1 for c in n.children if not c.is_object and c not in numeric)
        if not numeric:
            continue
        chain: list[_Node] = []
        p = n.parent
        while p is not None:
            chain.insert(0, p)
            p = p.parent
        if not chain:
            site_id, site_key, site_node = "", "opcua", None
        else:
            site_node = chain[0]
            site_id = site_node.node_id.to_string()
            site_key = key_of(site_node.browse_name, "site")
        site = sites.get(site_id)
        if site is None:
            site = ProposedSite(
                key=_unique(site_key, site_keys),
                node_id=site_id or None,
                **(_common(site_node) if site_node else {"name_en": "OPC UA server",
                                                            "name_ko": "OPC UA 서버"}),
            )  # fmt: skip
            sites[site_id] = site
            line_keys[site.key] = set()
        middle = chain[1:] if len(chain) > 1 else chain
        line_id = "/".join(m.node_id.to_string() for m in middle)
        line = lines.get((site.key, line_id))
        if line is None:
            if middle:
                common = _common(middle[-1])
                if len(middle) > 1:
                    joined = [_common(m) for m in middle]
                    for k in ("name_ko", "name_en"):
                        common[k] = " / ".join(j[k] or m.browse_name
                                               for j, m in zip(joined, middle, strict=True))[:200]  # fmt: skip
                key = ".".join(key_of(m.browse_name, "line") for m in middle)[:128]
                line = ProposedLine(
                    key=_unique(key, line_keys[site.key]), node_id=middle[-1].node_id.to_string(),
                    **common,
                )  # fmt: skip
            else:
                line = ProposedLine(key=_unique("line1", line_keys[site.key]), name_en="Line 1",
                                    name_ko="라인 1")  # fmt: skip
            lines[(site.key, line_id)] = line
            site.lines.append(line)
            eq_keys[(site.key, line.key)] = set()
        taken: set[str] = set()
        sigs = []
        for c in numeric:
            signals += 1
            sigs.append(
                ProposedSignal(
                    node_id=c.node_id.to_string(),
                    key=_unique(key_of(c.browse_name, "signal"), taken),
                    unit=c.unit[:200],
                    min_value=c.low,
                    max_value=c.high,
                    data_type=c.data_type_name,
                    historizing=c.historizing,
                    **_common(c),
                )
            )
        line.equipment.append(
            ProposedEquipment(
                node_id=n.node_id.to_string(),
                key=_unique(key_of(n.browse_name, "equipment"), eq_keys[(site.key, line.key)]),
                signals=sigs,
                **_common(n),
            )
        )
    return Proposal(
        endpoint=endpoint, sites=list(sites.values()), nodes_browsed=len(nodes),
        variables=variables, signals=signals, skipped=skipped,
    )  # fmt: skip


def _common(n: _Node) -> dict[str, str]:
    return {
        **_names(n.display, n.display_locale, n.description),
        "description": n.description[:4000],
    }


# --------------------------------------------------------------------------- applying


@dataclass(frozen=True)
class Applied:
    """What :func:`apply` did: the connection record (as answers show it) and the assets."""

    connection: dict[str, Any]
    created: int
    updated: int
    unchanged: int
    signals: int


def selected_tree(proposal: Proposal) -> tuple[list[SiteSpec], list[dict[str, Any]]]:
    """The asset tree and the node mapping of what the proposal selects."""
    sites: list[SiteSpec] = []
    mapping: list[dict[str, Any]] = []
    for s in proposal.sites:
        lines = []
        for ln in s.lines:
            eqs = []
            for e in ln.equipment:
                sigs = [g for g in e.signals if g.selected] if e.selected else []
                if not sigs:
                    continue
                eqs.append(
                    EquipmentSpec(
                        e.key, name_ko=e.name_ko, name_en=e.name_en, description=e.description,
                        signals=[
                            SignalSpec(
                                g.key, name_ko=g.name_ko, name_en=g.name_en, unit=g.unit,
                                min_value=g.min_value, max_value=g.max_value,
                                description=g.description,
                            )
                            for g in sigs
                        ],
                    )
                )  # fmt: skip
                path = f"{s.key}/{ln.key}/{e.key}"
                mapping += [
                    {"node_id": g.node_id, "equipment": path, "signal": g.key, "unit": g.unit}
                    for g in sigs
                ]
            if eqs:
                lines.append(
                    LineSpec(
                        ln.key,
                        name_ko=ln.name_ko,
                        name_en=ln.name_en,
                        description=ln.description,
                        equipment=eqs,
                    )
                )
        if lines:
            sites.append(
                SiteSpec(
                    s.key,
                    name_ko=s.name_ko,
                    name_en=s.name_en,
                    description=s.description,
                    lines=lines,
                )
            )
    return sites, mapping


def apply(
    kamp: Platform,
    principal: Principal,
    proposal: Proposal,
    *,
    name: str,
    settings: dict[str, Any] | None = None,
    enabled: bool = True,
) -> Applied:
    """Create the selected assets and an ``opcua`` connection ``name`` mapping them (``settings``:
    the connection's other settings: login, security, intervals …)."""
    sites, mapping = selected_tree(proposal)
    if not mapping:
        raise InvalidInput(
            "Nothing is selected: choose at least one signal.", code="opcua.nothing_selected"
        )
    config = {**(settings or {}), "endpoint": proposal.endpoint, "nodes": mapping}
    # The settings are checked before anything is stored: a wrong one creates nothing.
    kamp.connections._config(kamp.connections._kind("opcua"), config)
    if kamp.connections.find(principal, name) is not None:
        from openkamp.core.errors import Conflict

        raise Conflict(
            f"A connection named {name!r} exists already.",
            code="opcua.connection_exists",
            params={"name": name},
        )
    changes = kamp.assets.apply_tree(principal, sites)
    rec = kamp.connections.create(principal, name, "opcua", config, enabled=enabled)
    return Applied(rec, changes.created, changes.updated, changes.unchanged, len(mapping))
