"""The Merkle tree of the usage ledger (RFC 9162 section 2.1), as stored: proofs from subtree hashes.

Hashing and proof *verification* live in :mod:`openkamp.sharing.verify_standalone` (the file an
auditor copies), and are re-exported here; this module adds what only the platform needs: how the
hashes of the tree are numbered and stored, how they grow with each appended batch, and how an
inclusion or consistency proof (RFC 9162 sections 2.1.3.1 and 2.1.4.1) is assembled from them.

Storage: the hash of every *complete* subtree (2^L leaves starting at a multiple of 2^L) is kept
once it is complete and never changes; incomplete subtrees of the right edge are never stored. Node
ids number these subtrees in order (the "flat tree" numbering): leaf ``j`` is ``2j``, the subtree of
level ``L`` and index ``i`` is ``i * 2^(L+1) + 2^L - 1``, so the low ``L`` bits of an id are ones
and its level is the count of trailing ones. Every hash the RFC's recursion names, ``MTH(D[a:a+m])``,
has ``a`` aligned to the power of two above ``m`` (the split is always at the largest power of two
below the size), so it is the right fold of at most log2(m) stored complete subtrees: the binary
decomposition of ``m`` from its largest part. A proof therefore needs O(log n) stored hashes,
fetched in one query, and O(log n) hash operations.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from openkamp.sharing.verify_standalone import (
    EMPTY_ROOT,
    Frontier,
    leaf_hash,
    node_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)

__all__ = [
    "EMPTY_ROOT",
    "Frontier",
    "chunk_nodes",
    "consistency_ranges",
    "extend",
    "fold",
    "frontier_ranges",
    "inclusion_ranges",
    "leaf_hash",
    "node_hash",
    "node_id",
    "parts",
    "range_ids",
    "root_of",
    "verify_consistency",
    "verify_inclusion",
]

Range = tuple[int, int]  # (first leaf, number of leaves)


def node_id(level: int, index: int) -> int:
    """Id of the complete subtree of ``2**level`` leaves starting at leaf ``index * 2**level``."""
    return (index << (level + 1)) + (1 << level) - 1


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def range_ids(lo: int, m: int) -> list[int]:
    """Ids of the complete subtrees whose right fold is ``MTH(D[lo:lo+m])``, left to right.

    ``lo`` must be aligned as the RFC recursion leaves it (a multiple of the power of two at or
    above ``m``); the parts are the binary decomposition of ``m``, largest first."""
    ids = []
    while m:
        level = m.bit_length() - 1
        ids.append(node_id(level, lo >> level))
        lo += 1 << level
        m -= 1 << level
    return ids


def frontier_ranges(size: int) -> list[int]:
    """Ids of the complete subtrees of the right edge of a tree of ``size`` leaves."""
    return range_ids(0, size)


def fold(hashes: Sequence[bytes]) -> bytes:
    """The right fold ``H(h0, H(h1, ... H(hk-1, hk)))`` of subtree hashes, left to right."""
    if not hashes:
        return EMPTY_ROOT
    r = hashes[-1]
    for h in reversed(hashes[:-1]):
        r = node_hash(h, r)
    return r


def extend(
    frontier: Sequence[bytes], size: int, leaf_hashes: Iterable[bytes]
) -> tuple[list[bytes], list[tuple[int, bytes]], int]:
    """Append leaves to a tree of ``size`` leaves whose right edge is ``frontier`` (the hashes of
    :func:`frontier_ranges`); returns the new right edge, the new complete subtrees as
    ``(node id, hash)`` (leaves included) and the new size."""
    widths = parts(size)
    hashes = list(frontier)
    if len(hashes) != len(widths):
        raise ValueError(f"a tree of {size} leaves has {len(widths)} edge subtrees")
    nodes: list[tuple[int, bytes]] = []
    n = size
    for h in leaf_hashes:
        nodes.append((n << 1, h))
        width, start = 1, n
        while widths and widths[-1] == width:
            widths.pop()
            h = node_hash(hashes.pop(), h)
            start -= width
            width <<= 1
            nodes.append((start * 2 + width - 1, h))
        widths.append(width)
        hashes.append(h)
        n += 1
    return hashes, nodes, n


def parts(size: int) -> list[int]:
    """The binary decomposition of ``size``, largest part first."""
    return [1 << b for b in range(size.bit_length() - 1, -1, -1) if size >> b & 1]


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The subtrees whose hashes form ``PATH(index, D[0:size])`` (RFC 9162 2.1.3.1), in proof
    order (from the leaf's sibling up)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    out: list[Range] = []
    lo = 0
    while size > 1:
        k = _split(size)
        if index < k:
            out.append((lo + k, size - k))
            size = k
        else:
            out.append((lo, k))
            lo += k
            index -= k
            size -= k
    out.reverse()
    return out


def consistency_ranges(old: int, new: int) -> list[Range]:
    """The subtrees whose hashes form ``PROOF(old, D[0:new])`` (RFC 9162 2.1.4.1), in proof
    order. Empty when ``old`` is 0 or equals ``new``."""
    if not 0 <= old <= new:
        raise ValueError(f"no consistency proof from size {old} to size {new}")
    if old in (0, new):
        return []
    out: list[Range] = []
    lo, m, size, whole = 0, old, new, True  # whole: the SUBPROOF's flag b
    while m != size:
        k = _split(size)
        if m <= k:
            out.append((lo + k, size - k))
            size = k
        else:
            out.append((lo, k))
            lo += k
            m -= k
            size -= k
            whole = False
    if not whole:
        out.append((lo, m))
    out.reverse()
    return out


def chunk_nodes(lo: int, leaf_hashes: Sequence[bytes]) -> tuple[list[bytes | None], list[bytes]]:
    """Every complete subtree inside the leaves ``lo .. lo+len-1`` (``lo`` a multiple of a power
    of two at least as large as the chunk), in node id order: position ``p`` holds node
    ``2 * lo + p`` (None where that subtree reaches past the chunk); and the hashes of the
    chunk's own decomposition (:func:`range_ids` of the chunk, left to right)."""
    n = len(leaf_hashes)
    nodes: list[bytes | None] = [None] * (2 * n - 1) if n else []
    nodes[0::2] = leaf_hashes
    level_hashes = list(leaf_hashes)
    tops: list[bytes] = []  # the odd last subtree of each level: the chunk's decomposition
    level = 0
    while level_hashes:
        if len(level_hashes) & 1:
            tops.append(level_hashes[-1])
        pairs = [
            node_hash(a, b) for a, b in zip(level_hashes[::2], level_hashes[1::2], strict=False)
        ]
        level += 1
        if pairs:  # node (level, i) of the chunk sits at i * 2^(level+1) + 2^level - 1
            step, first = 1 << (level + 1), (1 << level) - 1
            nodes[first : first + step * (len(pairs) - 1) + 1 : step] = pairs
        level_hashes = pairs
    tops.reverse()  # largest first
    return nodes, tops
