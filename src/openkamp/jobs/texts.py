"""A job's message and error in the reader's language.

Job functions report progress with a stage name (``read``, ``fit`` …, looked up as
``job.stage.<name>``), a catalogue key, or plain data such as a file name (shown as it is).
A failure is kept as an error record (type, code, parameters; see ``service.error_record``), so
the page can say it in Korean or English; an internal error says only that it happened and
where its detail is.
"""

from __future__ import annotations

from typing import Any

from openkamp.i18n import MESSAGES, error_text, t
from openkamp.jobs.service import INTERRUPTED, LOST, STOPPED

_FIXED = {INTERRUPTED: "job.interrupted", STOPPED: "job.stopped", LOST: "job.worker_lost"}


def message_text(message: str | None, lang: str) -> str:
    if not message:
        return ""
    for key in (f"job.stage.{message}", message):
        if key in MESSAGES:
            return t(key, lang)
    return message


class _Described(Exception):
    def __init__(self, rec: dict[str, Any]) -> None:
        super().__init__(rec.get("code") or "")
        self.message = ""
        self.hint = rec.get("hint")
        self.code = rec.get("code")
        self.params = rec.get("params") or {}


def error_texts(job: dict[str, Any], lang: str) -> tuple[str, str | None]:
    """The failure of ``job`` as (message, hint) in ``lang``; ("", None) when it did not fail."""
    error = job.get("error")
    if not error:
        return "", None
    if error in _FIXED:
        return t(f"err.{_FIXED[error]}", lang), None
    rec = (job.get("result") or {}).get("error")
    if isinstance(rec, dict) and rec.get("code") and f"err.{rec['code']}" in MESSAGES:
        return error_text(_Described(rec), lang)
    if isinstance(rec, dict) and rec.get("type") == "internal":
        return t("err.job.internal", lang), t("err.job.internal.hint", lang)
    return str(error), None  # a domain error without a code: its English text


def title_text(job: dict[str, Any], lang: str) -> str:
    """The job's title in ``lang``: a training or recipe job says what it makes in words
    (불량 예측: 사출기7_불량), from its kind and parameters; others keep their title (a file name)."""
    params = job.get("params") or {}
    kind = job.get("kind")
    if kind == "train" and params.get("task") and params.get("name"):
        task = f"web.task.{params['task']}"
        return t("job.title.train", lang, task=t(task, lang) if task in MESSAGES else params["task"],
                 name=params["name"])  # fmt: skip
    if kind == "score" and params.get("model"):
        return t("job.title.score", lang, name=params["model"],
                 version=params.get("version", ""), source=params.get("source", ""))  # fmt: skip
    if kind == "recipe" and params.get("model"):
        return t("job.title.recipe", lang, name=params["model"], version=params.get("version", ""))
    return str(job.get("title") or "")


def localized(job: dict[str, Any], lang: str) -> dict[str, Any]:
    """``job`` with ``title_text``, ``message_text``, ``error_text`` and ``error_hint`` added."""
    err, hint = error_texts(job, lang)
    return {**job, "title_text": title_text(job, lang),
            "message_text": message_text(job.get("message"), lang),
            "error_text": err, "error_hint": hint}  # fmt: skip
