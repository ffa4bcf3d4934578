"""The Digital Nameplate of an equipment's AAS (IDTA 02006-2-0, *Digital Nameplate for
industrial equipment* 2.0), written from and read back into :class:`~openkamp.core.assets.Nameplate`.

A complete nameplate (nothing in :meth:`Nameplate.missing`) becomes the submodel ``Nameplate``
(semanticId ``https://admin-shell.io/zvei/nameplate/2/0/Nameplate``) of the equipment's shell, laid
out as the template is, in its order, each element with the template's semanticId (ECLASS IRDIs):

* ``URIOfTheProduct`` (xs:string), ``ManufacturerName`` and ``ManufacturerProductDesignation``
  (multi-language),
* ``ContactInformation``: ``NationalCode``, ``CityTown``, ``Phone/TelephoneNumber``,
  ``Email/EmailAddress``, ``Street``, ``Zipcode`` (the template requires the postal address),
* ``ManufacturerProductType`` (the template requires it or the product family),
  ``SerialNumber`` and ``YearOfConstruction`` (xs:string).

Each multi-language value is one text, tagged ``ko`` when it holds Hangul and ``en`` otherwise
(the template asks for one string in a language of the writer's choice for language-independent
values such as codes and numbers). Empty fields are left out.

An equipment whose nameplate is only partly filled gets no Nameplate submodel (the template, and
aas-test-engines, reject one without its required elements); the filled fields are kept in its
hierarchy entity instead, as the collection ``NameplateDraft`` (OpenKAMP semanticId) with the same
elements, so that importing the export keeps them. Reading accepts either and finds elements by
semanticId.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from basyx.aas import model
from basyx.aas.model import datatypes

from openkamp.assets.aas_semantics import global_ref
from openkamp.core.assets import Nameplate

__all__ = [
    "SEM_NAMEPLATE",
    "SEM_NAMEPLATE_DRAFT",
    "nameplate_draft",
    "nameplate_submodel",
    "read_nameplate",
]

SEM_NAMEPLATE = "https://admin-shell.io/zvei/nameplate/2/0/Nameplate"
SEM_CONTACT = "https://admin-shell.io/zvei/nameplate/1/0/ContactInformations/ContactInformation"
SEM_PHONE = SEM_CONTACT + "/Phone"
SEM_EMAIL = "0173-1#02-AAQ836#005"
SEM_NAMEPLATE_DRAFT = "urn:openkamp:aas:NameplateDraft:1:0"

# (field, idShort, semanticId, multi-language?) of the nameplate's own elements, in the
# template's order, and of the contact's postal address.
_TOP = (
    ("product_uri", "URIOfTheProduct", "0173-1#02-AAY811#001", False),
    ("manufacturer_name", "ManufacturerName", "0173-1#02-AAO677#002", True),
    ("product_designation", "ManufacturerProductDesignation", "0173-1#02-AAW338#001", True),
    ("product_type", "ManufacturerProductType", "0173-1#02-AAO057#002", True),
    ("serial_number", "SerialNumber", "0173-1#02-AAM556#002", False),
    ("year_of_construction", "YearOfConstruction", "0173-1#02-AAP906#001", False),
)
_CONTACT = (
    ("country", "NationalCode", "0173-1#02-AAO134#002", True),
    ("city", "CityTown", "0173-1#02-AAO132#002", True),
    ("street", "Street", "0173-1#02-AAO128#002", True),
    ("zipcode", "Zipcode", "0173-1#02-AAO129#002", True),
)
_TELEPHONE_NUMBER = "0173-1#02-AAO136#002"
_EMAIL_ADDRESS = "0173-1#02-AAO198#002"
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")


def nameplate_submodel(sm_id: str, nameplate: Nameplate) -> model.Submodel:
    """The Digital Nameplate submodel of a complete nameplate."""
    return model.Submodel(
        sm_id,
        _elements(nameplate),
        id_short="Nameplate",
        semantic_id=global_ref(SEM_NAMEPLATE),
    )


def nameplate_draft(nameplate: Nameplate) -> model.SubmodelElementCollection:
    """The filled fields of an incomplete nameplate, for the equipment's hierarchy entity."""
    return model.SubmodelElementCollection(
        "NameplateDraft", _elements(nameplate), semantic_id=global_ref(SEM_NAMEPLATE_DRAFT)
    )


def _elements(np: Nameplate) -> list[model.SubmodelElement]:
    top = {f: _element(short, sem, getattr(np, f), mlp) for f, short, sem, mlp in _TOP}
    contact: list[model.SubmodelElement | None] = [
        _element(short, sem, getattr(np, f), mlp) for f, short, sem, mlp in _CONTACT[:2]
    ]
    if np.phone:
        number = _element("TelephoneNumber", _TELEPHONE_NUMBER, np.phone, True)
        contact.append(_collection("Phone", SEM_PHONE, [number]))
    if np.email:
        address = _element("EmailAddress", _EMAIL_ADDRESS, np.email, False)
        contact.append(_collection("Email", SEM_EMAIL, [address]))
    contact += [_element(short, sem, getattr(np, f), mlp) for f, short, sem, mlp in _CONTACT[2:]]
    filled_contact = [e for e in contact if e is not None]
    ordered = [
        top["product_uri"],
        top["manufacturer_name"],
        top["product_designation"],
        _collection("ContactInformation", SEM_CONTACT, filled_contact) if filled_contact else None,
        top["product_type"],
        top["serial_number"],
        top["year_of_construction"],
    ]
    return [e for e in ordered if e is not None]


def _element(id_short: str, sem: str, text: str, multi: bool) -> model.SubmodelElement | None:
    if not text:
        return None
    if multi:
        lang = "ko" if _HANGUL.search(text) else "en"
        return model.MultiLanguageProperty(
            id_short, model.MultiLanguageTextType({lang: text}), semantic_id=global_ref(sem)
        )
    return model.Property(id_short, datatypes.String, text, semantic_id=global_ref(sem))


def _collection(
    id_short: str, sem: str, elements: Iterable[model.SubmodelElement | None]
) -> model.SubmodelElementCollection:
    return model.SubmodelElementCollection(
        id_short, [e for e in elements if e is not None], semantic_id=global_ref(sem)
    )


# --------------------------------------------------------------------------- reading


class NameplateError(ValueError):
    """An element of a nameplate is not what the template says it is."""


def read_nameplate(elements: Iterable[Any], what: str) -> Nameplate:
    """The nameplate held by a Nameplate submodel's (or a NameplateDraft's) elements; a
    multi-language value is read in Korean, else English, else its first language."""
    by_sem = _by_semantic_id(elements)
    values: dict[str, str] = {}
    for field, _, sem, _ in _TOP:
        values[field] = _text(by_sem.get(sem), f"{sem} of the nameplate of {what}")
    contact = by_sem.get(SEM_CONTACT)
    if contact is not None:
        if not isinstance(contact, model.SubmodelElementCollection):
            raise NameplateError(f"the ContactInformation of {what} must be a collection")
        inner = _by_semantic_id(contact.value)
        where = f"the nameplate contact of {what}"
        for field, _, sem, _ in _CONTACT:
            values[field] = _text(inner.get(sem), f"{sem} of {where}")
        for field, sem, number_sem in (
            ("phone", SEM_PHONE, _TELEPHONE_NUMBER),
            ("email", SEM_EMAIL, _EMAIL_ADDRESS),
        ):
            holder = inner.get(sem)
            if holder is None:
                continue
            if not isinstance(holder, model.SubmodelElementCollection):
                raise NameplateError(f"{sem} of {where} must be a collection")
            values[field] = _text(_by_semantic_id(holder.value).get(number_sem), f"{sem}")
    return Nameplate(**values)


def _by_semantic_id(elements: Iterable[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for element in elements:
        sem = getattr(element, "semantic_id", None)
        if sem is not None and sem.key:
            out.setdefault(sem.key[0].value, element)
    return out


def _text(element: Any, what: str) -> str:
    if element is None:
        return ""
    if isinstance(element, model.MultiLanguageProperty):
        texts = dict(element.value or {})
        return texts.get("ko") or texts.get("en") or next(iter(texts.values()), "")
    if isinstance(element, model.Property) and isinstance(element.value, str | None):
        return element.value or ""
    raise NameplateError(f"{what} must be an xs:string property or a multi-language property")
