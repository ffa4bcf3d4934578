"""Finding untranslated text in what a page (or a report) shows a person.

The visible text of an HTML document — text outside ``<script>`` / ``<style>``, plus the
attributes people read (``title``, ``placeholder``, ``aria-label``, ``alt``, button values) — is
cut into words. Content marked ``translate="no"`` (the HTML attribute for data that must not be
translated: file names, logins, codes typed by the user) is skipped.

On a Korean page a word of Latin letters is untranslated text unless it is a unit, a code or a
product name of the allow-list, a mathematical symbol of :data:`SYMBOLS` (``R²``), an IANA time
zone name (``Asia/Seoul``: a code, as the installation
is configured), or a name of the site's own data. On an English page, Hangul is
untranslated unless it is the language switch or data.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser

#: Units, codes, formats, method and product names a Korean page may show in Latin letters.
ALLOWED_LATIN = frozenset(
    """
    OpenKAMP KAMP AI API CSV Excel xlsx xls csv Parquet parquet JSON HTML PDF URL HTTP HTTPS SQL
    UTF BOM CP EUC KR ko en ID IDs OK NG LOT UTC KST Ctrl Enter Tab Shift Esc CSRF AAS aasx MES PLC
    PR ROC AUC RMSE MAE MAPE sMAPE WAPE MASE SHAP TreeSHAP LightGBM PCA MSET kNN FAR MAR Hz kHz rpm
    bar mbar MPa kPa Pa mm cm um nm kg g mg kW kWh W V mV A mA ms s min h d ppm pcs ea EA N Nm degC
    LH RH T Q R F1 F English ISO SPC CNC RUL FDR C L RMS Open
    MQTT OPC UA Modbus TCP Sparkplug Telegraf gzip SMTP STARTTLS HMAC opc.tcp Basic256Sha256
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
#: Mathematical symbols written with Latin letters (a metric's symbol, not a word): R² is the
#: coefficient of determination in Korean texts too. Symbols only; words belong in the catalogue.
SYMBOLS = frozenset({"R²"})
_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
_WORD = re.compile(r"[A-Za-z0-9_.\-²³/%°]+")
_READ_ATTRS = ("title", "placeholder", "aria-label", "alt")


@cache
def _zones() -> frozenset[str]:
    """IANA time zone names of the ``Area/Location`` form (``Asia/Seoul``); one-word links such
    as ``Japan`` or ``Factory`` are words, not taken as codes."""
    return frozenset(z for z in zoneinfo.available_timezones() if "/" in z)


@dataclass
class Finding:
    where: str
    word: str
    context: str

    def __str__(self) -> str:
        return f"{self.where}: {self.word!r} in “{self.context}”"


class _Visible(HTMLParser):
    """Collects the text a person reads, skipping scripts, styles and translate="no" content."""

    _VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())  # noqa: SIM905

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip: list[str] = []  # stack of open tags whose content is skipped

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        skipping = bool(self._skip)
        if not skipping:
            for name in _READ_ATTRS:
                if a.get(name):
                    self.parts.append(str(a[name]))
            if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
                self.parts.append(str(a["value"]))
        if tag in self._VOID:
            return
        if skipping or tag in ("script", "style", "template") or a.get("translate") == "no":
            self._skip.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return parser.parts


def untranslated(
    html: str, lang: str, where: str, data_words: frozenset[str] = frozenset()
) -> list[Finding]:
    """Words on a page in ``lang`` that are in the other language (see the module docstring)."""
    found = []
    for text in visible_text(html):
        if lang == "ko":
            for word in _WORD.findall(text):
                core = word.strip(".-/%°")
                if not re.search(r"[A-Za-z]", core) or re.search(r"\d", core):
                    continue  # numbers, and codes with digits (inj01, FD001, v2)
                if core in SYMBOLS or core in ALLOWED_LATIN or core in data_words:
                    continue
                if core in _zones():
                    continue
                if all(
                    p in ALLOWED_LATIN or p in data_words for p in re.split(r"[/\-.]", core) if p
                ):
                    continue
                found.append(Finding(where, core, text[:120]))
        elif _HANGUL.search(text) and text not in data_words and text != "한국어":
            found.append(Finding(where, _HANGUL.search(text).group(0), text[:120]))  # type: ignore[union-attr]
    return found
