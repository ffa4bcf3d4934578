"""What the data-sharing pages (issue 11) show and read, in the page's language: an offer's
title, its price and its usage policy's clauses in words; a form's price and clauses turned into
what :mod:`openkamp.sharing.catalog` and :mod:`openkamp.sharing.contracts` take.

Only words here: the pages (``sharing_*_page.py``) call the sharing service, and every check of
a price or a clause is the service's (its refusals are shown in the user's language)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Request

from openkamp.core.errors import InvalidInput, OpenKampError
from openkamp.i18n import MESSAGES, error_text, t
from openkamp.sharing.offer_fields import PROBLEMS, clauses_of
from openkamp.sharing.policy import Purpose
from openkamp.sharing.pricing import MODELS, UNITS, describe, parse_price
from openkamp.web.page import platform_of

__all__ = [
    "GRADES",
    "MODELS",
    "PROBLEMS",
    "PURPOSES",
    "UNITS",
    "clauses_in_words",
    "form_error",
    "keep_formless",
    "offer_text",
    "org_names",
    "policy_from_form",
    "policy_to_form",
    "price_from_form",
    "price_text",
    "price_to_form",
    "refused",
]

GRADES = ("A", "B", "C", "D")
PURPOSES = tuple(p.value for p in Purpose)
#: Number fields of the policy form (empty: no such clause).
COUNTS = ("max_rows", "max_queries", "max_trainings", "delete_within_days")


def refused(exc: OpenKampError) -> bool:
    """A refusal said on the page (a bad field, a clause, a state): anything else goes to the
    error handlers."""
    return isinstance(exc, InvalidInput) or type(exc).__name__ in (
        "Conflict",
        "NotFound",
        "Forbidden",
        "ContractEnded",
    )


def form_error(exc: OpenKampError, lang: str) -> tuple[str, str | None]:
    return error_text(exc, lang)


def offer_text(offer: Mapping[str, Any], field: str, lang: str) -> str:
    """An offer's ``title`` or ``description`` in the page's language (the other if empty)."""
    other = "en" if lang == "ko" else "ko"
    return str(offer.get(f"{field}_{lang}") or offer.get(f"{field}_{other}") or "")


def price_text(price: Any, lang: str) -> str:
    """The price model in one line (``종량제: 1,000행당 500원 (부가세 별도)``)."""
    if not price:
        return t("sharing_web.price.none", lang)
    try:
        return describe(parse_price(price), lang)
    except InvalidInput:
        return t("sharing_web.price.none", lang)


def industry_text(code: str | None, lang: str) -> str:
    if not code:
        return ""
    key = f"sharing.ksic.{code[:3]}"
    return f"{code} {t(key, lang)}" if key in MESSAGES else str(code)


def org_names(request: Request) -> dict[int, str]:
    """Every organisation's name by id, as pages show a counterparty (its display name in the
    page's language when it has one: ``기본 조직 / Default organisation``)."""
    from sqlalchemy import select

    from openkamp.storage.metadata.schema import orgs
    from openkamp.web.page import lang_of

    kamp = platform_of(request)
    lang = lang_of(request)
    with kamp.meta._read() as conn:  # type: ignore[attr-defined,unused-ignore]
        rows = list(conn.execute(select(orgs.c.id, orgs.c.name, orgs.c.display_name)))
    out: dict[int, str] = {}
    for r in rows:
        name = str(r.display_name or r.name)
        if " / " in name:
            ko, _, en = name.partition(" / ")
            name = ko if lang == "ko" else en
        out[int(r.id)] = name
    return out


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    return str(value)[:10]


def clauses_in_words(policy: Mapping[str, Any] | None, lang: str) -> list[str]:
    """The clauses of an ODRL Offer or Agreement (JSON-LD), one sentence each."""
    if not policy:
        return []
    try:
        clauses = clauses_of({"policy": policy})
    except (OpenKampError, KeyError, ValueError, TypeError):
        return [t("sharing_web.clause.unreadable", lang)]
    out: list[str] = []
    sep = ", "
    if clauses.get("purposes"):
        names = sep.join(t(f"policy.purpose.{Purpose(p).value}", lang) for p in clauses["purposes"])
        out.append(t("sharing_web.clause.purposes", lang, purposes=names))
    for field in ("recipients", "excluded_recipients", "industries", "excluded_industries"):
        if clauses.get(field):
            values = [str(v).rsplit(":", 1)[-1] for v in clauses[field]]
            out.append(t(f"sharing_web.clause.{field}", lang, values=sep.join(values)))
    if clauses.get("valid_from"):
        out.append(t("sharing_web.clause.valid_from", lang, at=_when(clauses["valid_from"])))
    if clauses.get("valid_until"):
        out.append(t("sharing_web.clause.valid_until", lang, at=_when(clauses["valid_until"])))
    for field in ("max_rows", "max_queries", "max_trainings"):
        if clauses.get(field) is not None:
            out.append(t(f"sharing_web.clause.{field}", lang, n=int(clauses[field])))
    if clauses.get("compute_to_data_only"):
        out.append(t("sharing_web.clause.compute_to_data_only", lang))
    if clauses.get("anonymise"):
        out.append(t("sharing_web.clause.anonymise", lang))
    if clauses.get("delete_within_days") is not None:
        out.append(t("sharing_web.clause.delete_within_days", lang,
                     n=int(clauses["delete_within_days"])))  # fmt: skip
    if clauses.get("no_redistribution"):
        out.append(t("sharing_web.clause.no_redistribution", lang))
    return out or [t("sharing_web.clause.none", lang)]


# --------------------------------------------------------------------------- reading forms


def _text(form: Mapping[str, Any], name: str) -> str:
    return str(form.get(name) or "").strip().replace(",", "")


def label(key: str) -> dict[str, str]:
    """A form field's label in both languages (an error's parameter with words)."""
    return {"ko": t(key, "ko"), "en": t(key, "en")}


#: The label of each number field of the forms.
LABELS = {
    **{f: f"sharing_web.policy.{f}" for f in COUNTS},
    **{f"price_included_{u}": f"sharing_web.price.included.{u}" for u in UNITS},
    "limit": "sharing_web.export.limit",
    "valid_from": "sharing_web.policy.valid_from",
    "valid_until": "sharing_web.policy.valid_until",
}


def _bad(field: str, value: str) -> InvalidInput:
    return InvalidInput(
        f"The field {field} needs a whole number, not '{value}'.",
        code="sharing.web.bad_number",
        params={"field": label(LABELS.get(field, field)), "value": value},
    )


def price_from_form(form: Mapping[str, Any], prefix: str = "price") -> dict[str, Any] | None:
    """The price object of a form's price fields (None: no model chosen). Numbers stay text, as
    :func:`openkamp.sharing.pricing.parse_price` wants them; a royalty is typed in percent."""
    model = _text(form, f"{prefix}_model")
    if not model:
        return None
    if model in ("flat", "lump_sum"):
        return {"model": model, "amount": _text(form, f"{prefix}_amount")}
    if model == "royalty":
        percent = _text(form, f"{prefix}_percent")
        try:
            share = str((Decimal(percent) / 100).normalize()) if percent else ""
        except InvalidOperation:
            share = percent
        price: dict[str, Any] = {"model": model, "rate": share}
        if _text(form, f"{prefix}_minimum"):
            price["minimum"] = _text(form, f"{prefix}_minimum")
        return price
    if model == "metered":
        rates: list[dict[str, Any]] = []
        for unit in UNITS:
            amount = _text(form, f"{prefix}_rate_{unit}")
            if not amount:
                continue
            rate: dict[str, Any] = {"unit": unit, "amount": amount}
            included = _text(form, f"{prefix}_included_{unit}")
            if included:
                if not included.isdecimal():
                    raise _bad(f"price_included_{unit}", included)
                rate["included"] = int(included)
            rates.append(rate)
        price = {"model": model, "rates": rates}
        if _text(form, f"{prefix}_cap"):
            price["cap"] = _text(form, f"{prefix}_cap")
        return price
    return {"model": model}  # parse_price names the unknown model


def policy_from_form(form: Any) -> dict[str, Any]:
    """The usage clauses of the offer form (``purposes`` ticked, counts, the switches, the time
    window as dates in the installation's zone)."""
    policy: dict[str, Any] = {}
    purposes = [p for p in form.getlist("purposes") if p] if hasattr(form, "getlist") else []
    if purposes:
        policy["purposes"] = purposes
    for field in COUNTS:
        value = _text(form, field)
        if value:
            if not value.isdecimal():
                raise _bad(field, value)
            policy[field] = int(value)
    for field in ("compute_to_data_only", "anonymise", "no_redistribution"):
        if form.get(field) == "on":
            policy[field] = True
    industries = [c.strip() for c in str(form.get("industries") or "").split(",") if c.strip()]
    if industries:
        policy["industries"] = industries
    return policy


def window_from_form(form: Any, tz: Any) -> dict[str, Any]:
    """``valid_from`` / ``valid_until`` of the form's dates (start of day, local zone)."""
    out: dict[str, Any] = {}
    for field in ("valid_from", "valid_until"):
        value = str(form.get(field) or "").strip()
        if not value:
            continue
        try:
            day = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidInput(
                f"'{value}' is not a date.",
                code="sharing.web.bad_date",
                params={"field": label(LABELS[field]), "value": value},
            ) from None
        out[field] = day.replace(tzinfo=tz).isoformat()
    return out


# --------------------------------------------------------------------------- filling forms


#: Clauses the offer form has no field for (set through the API): an edit keeps them as they are.
FORMLESS_CLAUSES = ("recipients", "excluded_recipients", "excluded_industries")


def price_to_form(price: Any) -> dict[str, str]:
    """The price form's fields for a stored price (what :func:`price_from_form` reads back)."""
    try:
        doc = parse_price(price).to_json() if price else {}
    except InvalidInput:
        return {}
    model = str(doc.get("model") or "")
    out = {"price_model": model} if model else {}
    if model in ("flat", "lump_sum"):
        out["price_amount"] = str(doc["amount"])
    elif model == "royalty":
        out["price_percent"] = str((Decimal(str(doc["rate"])) * 100).normalize())
        if doc.get("minimum") is not None:
            out["price_minimum"] = str(doc["minimum"])
    elif model == "metered":
        for rate in doc.get("rates") or []:
            out[f"price_rate_{rate['unit']}"] = str(rate["amount"])
            if rate.get("included"):
                out[f"price_included_{rate['unit']}"] = str(rate["included"])
        if doc.get("cap") is not None:
            out["price_cap"] = str(doc["cap"])
    return out


def policy_to_form(offer: Mapping[str, Any], tz: Any) -> dict[str, Any]:
    """The policy form's fields for a stored offer's usage policy (what
    :func:`policy_from_form` and :func:`window_from_form` read back); dates in ``tz``."""
    clauses = clauses_of(offer)
    out: dict[str, Any] = {"purposes": [Purpose(p).value for p in clauses.get("purposes", [])]}
    for field in COUNTS:
        if clauses.get(field) is not None:
            out[field] = str(int(clauses[field]))
    for field in ("compute_to_data_only", "anonymise", "no_redistribution"):
        if clauses.get(field):
            out[field] = "on"
    if clauses.get("industries"):
        out["industries"] = ", ".join(clauses["industries"])
    for field in ("valid_from", "valid_until"):
        if isinstance(clauses.get(field), datetime):
            out[field] = clauses[field].astimezone(tz).date().isoformat()
    return out


def keep_formless(policy: dict[str, Any], offer: Mapping[str, Any], tz: Any) -> dict[str, Any]:
    """The clauses of an edited offer form with what the form cannot say kept from the stored
    policy: the clauses of :data:`FORMLESS_CLAUSES`, and a window's exact time when its date is
    unchanged (the form has dates only)."""
    stored = clauses_of(offer)
    out = dict(policy)
    for field in FORMLESS_CLAUSES:
        if stored.get(field):
            out[field] = list(stored[field])
    for field in ("valid_from", "valid_until"):
        before = stored.get(field)
        if isinstance(before, datetime) and isinstance(out.get(field), str):
            day = datetime.fromisoformat(out[field]).astimezone(tz).date()
            if before.astimezone(tz).date() == day:
                out[field] = before.isoformat()
    return out
