"""Sharing manufacturing data under contract (issue 11): the catalog, usage policies, contracts,
delivery, the usage ledger, valuation and settlement.

The usage ledger is re-exported here: :class:`Ledger`, a Merkle-tree transparency log (RFC 9162)
of every access, export, training and settlement, with signed tree heads, inclusion and
consistency proofs, ``verify`` and an auditor's export checked by
:mod:`openkamp.sharing.verify_standalone`.
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
