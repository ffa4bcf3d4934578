"""Why a standard model refuses to train, in words a user can act on.

The templates follow the scikit-learn contract, where bad data raises ``ValueError``;
:class:`TrainingRefused` is both a ``ValueError`` (for that contract) and an
:class:`~openkamp.core.errors.InvalidInput` with a catalogue ``code`` (``err.ml.*`` in
:mod:`openkamp.i18n.ml`), so the API, the web pages and the CLI show it in the user's language.
"""

from __future__ import annotations

from openkamp.core.errors import InvalidInput

__all__ = ["TrainingRefused", "refuse"]


class TrainingRefused(InvalidInput, ValueError):
    """The data cannot give a model whose figures can be trusted (``code`` says why)."""


def refuse(code: str, message: str, hint: str | None = None, **params: object) -> TrainingRefused:
    """A :class:`TrainingRefused` with the catalogue code ``ml.<code>`` and its parameters."""
    return TrainingRefused(message, hint=hint, code=f"ml.{code}", params=params)
