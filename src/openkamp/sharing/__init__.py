"""Sharing: offering data under contract, metering every use, paying the owner back (issue 11).

So far the usage ledger: :class:`Ledger`, a Merkle-tree transparency log (RFC 9162) of every
access, export, training and settlement, with signed tree heads, inclusion and consistency proofs,
``verify`` and an auditor's export checked by :mod:`openkamp.sharing.verify_standalone`.
"""

from openkamp.sharing.keys import LedgerKeys
from openkamp.sharing.ledger import (
    KINDS,
    ConsistencyProof,
    Entry,
    InclusionProof,
    Ledger,
    LedgerEntry,
    Problem,
    TreeHead,
    VerifyReport,
)

__all__ = [
    "KINDS",
    "ConsistencyProof",
    "Entry",
    "InclusionProof",
    "Ledger",
    "LedgerEntry",
    "LedgerKeys",
    "Problem",
    "TreeHead",
    "VerifyReport",
]
