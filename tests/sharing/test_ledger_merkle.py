"""The ledger's Merkle tree against RFC 9162 section 2.1: the Certificate Transparency test vectors,
proofs equal to the RFC's recursive definitions for every small tree, and verification that
accepts them and refuses any change."""

from __future__ import annotations

import hashlib

import pytest

from openkamp.sharing import merkle
from openkamp.sharing.verify_standalone import (
    EMPTY_ROOT,
    leaf_hash,
    node_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)

# The reference leaves and roots of the Certificate Transparency project's tests (also used by
# Trillian and transparency-dev/merkle): leaf hashes of these data, and the root at each size.
CT_DATA = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
)]  # fmt: skip
CT_ROOTS = [bytes.fromhex(h) for h in (
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
)]  # fmt: skip
CT_INCLUSION = [  # (index, size, path)
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]  # fmt: skip
CT_CONSISTENCY = [  # (old size, new size, proof)
    (2, 8, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]  # fmt: skip


# -- the RFC's definitions, written as the RFC writes them (recursive, for small trees) --------


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return leaf_hash(d[0])
    k = _k(len(d))
    return node_hash(mth(d[:k]), mth(d[k:]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) <= 1:
        return []
    k = _k(len(d))
    return [*path(m, d[:k]), mth(d[k:])] if m < k else [*path(m - k, d[k:]), mth(d[:k])]


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [mth(d)]
    k = _k(len(d))
    if m <= k:
        return [*subproof(m, d[:k], b), mth(d[k:])]
    return [*subproof(m - k, d[k:], False), mth(d[:k])]


N = 70
DATA = [bytes([i, (i * 7) % 256, 0x55]) for i in range(N)]
HASHES = [leaf_hash(x) for x in DATA]


@pytest.fixture(scope="module")
def stored() -> dict[int, bytes]:
    """The node table after appending the 70 leaves in uneven batches."""
    edge: list[bytes] = []
    size, nodes, batch = 0, {}, 1
    while size < N:
        new = HASHES[size : size + batch]
        edge, made, size = merkle.extend(edge, size, new)
        nodes.update(made)
        assert merkle.fold(edge) == mth(DATA[:size])
        batch = batch % 9 + 2
    return nodes


def hashes_of(stored: dict[int, bytes], ranges: list[tuple[int, int]]) -> list[bytes]:
    return [merkle.fold([stored[i] for i in merkle.range_ids(lo, m)]) for lo, m in ranges]


def test_ct_reference_roots() -> None:
    assert CT_ROOTS[0] == EMPTY_ROOT
    leaves = [leaf_hash(d) for d in CT_DATA]
    for n in range(9):
        assert root_of(leaves[:n]) == CT_ROOTS[n]
        assert mth(CT_DATA[:n]) == CT_ROOTS[n]


def test_ct_reference_proofs() -> None:
    leaves = [leaf_hash(d) for d in CT_DATA]
    _, made, _ = merkle.extend([], 0, leaves)
    nodes = dict(made)
    for index, size, want in CT_INCLUSION:
        got = hashes_of(nodes, merkle.inclusion_ranges(index, size))
        assert [h.hex() for h in got] == want
        assert verify_inclusion(leaves[index], index, size, got, CT_ROOTS[size])
    for old, new, want in CT_CONSISTENCY:
        got = hashes_of(nodes, merkle.consistency_ranges(old, new))
        assert [h.hex() for h in got] == want
        assert verify_consistency(old, new, CT_ROOTS[old], CT_ROOTS[new], got)


def test_stored_nodes_are_every_complete_subtree(stored: dict[int, bytes]) -> None:
    # 70 leaves: 70 leaves, 35 + 17 + 8 + 4 + 2 + 1 complete subtrees above them
    assert len(stored) == 70 + 35 + 17 + 8 + 4 + 2 + 1
    for level in range(7):
        for i in range(N >> level):
            lo = i << level
            assert stored[merkle.node_id(level, i)] == mth(DATA[lo : lo + (1 << level)])


def test_proofs_equal_the_rfc_definition_and_verify(stored: dict[int, bytes]) -> None:
    for n in range(1, N + 1):
        root = mth(DATA[:n])
        for m in range(n):
            got = hashes_of(stored, merkle.inclusion_ranges(m, n))
            assert got == path(m, DATA[:n]), (m, n)
            assert verify_inclusion(HASHES[m], m, n, got, root)
        for m in range(1, n + 1):
            got = hashes_of(stored, merkle.consistency_ranges(m, n))
            assert got == subproof(m, DATA[:n], True), (m, n)
            assert verify_consistency(m, n, mth(DATA[:m]), root, got)


def test_verification_refuses_every_change(stored: dict[int, bytes]) -> None:
    # (A path alone does not fix the tree size: the signed head binds the size to the root.)
    for n in range(2, 40):
        root = mth(DATA[:n])
        for m in range(n):
            good = hashes_of(stored, merkle.inclusion_ranges(m, n))
            for bad in _mangled(good):
                assert not verify_inclusion(HASHES[m], m, n, bad, root), (m, n)
            assert not verify_inclusion(HASHES[(m + 1) % n], m, n, good, root)
            if m + 1 < n:
                assert not verify_inclusion(HASHES[m], m + 1, n, good, root)
        for m in range(1, n):
            good = hashes_of(stored, merkle.consistency_ranges(m, n))
            old = mth(DATA[:m])
            for bad in _mangled(good):
                assert not verify_consistency(m, n, old, root, bad), (m, n)
            assert not verify_consistency(m, n, mth(DATA[: m - 1]), root, good)
            assert not verify_consistency(m, n, old, mth(DATA[: n - 1]), good)


def _mangled(proof: list[bytes]) -> list[list[bytes]]:
    out = [[*proof, b"\x00" * 32]]
    if proof:
        out.append(proof[:-1])
        for i in range(len(proof)):
            flipped = list(proof)
            flipped[i] = bytes([proof[i][0] ^ 1]) + proof[i][1:]
            out.append(flipped)
    if len(proof) > 1 and proof[0] != proof[1]:
        out.append([proof[1], proof[0], *proof[2:]])
    return out


def test_degenerate_cases() -> None:
    r4, r5 = mth(DATA[:4]), mth(DATA[:5])
    assert verify_consistency(4, 4, r4, r4, [])
    assert not verify_consistency(4, 4, r4, r5, [])
    assert not verify_consistency(4, 4, r4, r4, [r4])
    assert verify_consistency(0, 5, EMPTY_ROOT, r5, [])
    assert not verify_consistency(0, 5, r4, r5, [])
    assert not verify_consistency(5, 4, r5, r4, [])
    assert not verify_inclusion(HASHES[0], 0, 0, [], EMPTY_ROOT)
    assert not verify_inclusion(HASHES[0][:31], 0, 1, [], HASHES[0][:31])
    assert merkle.consistency_ranges(0, 9) == [] and merkle.consistency_ranges(9, 9) == []
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(5, 5)
    with pytest.raises(ValueError):
        merkle.consistency_ranges(6, 5)


def test_chunks_give_the_stored_subtrees(stored: dict[int, bytes]) -> None:
    for lo, length in ((0, 64), (64, 6), (32, 32), (64, 5), (0, 1)):
        nodes, tops = merkle.chunk_nodes(lo, HASHES[lo : lo + length])
        assert len(nodes) == 2 * length - 1
        for p, h in enumerate(nodes):  # position p is node 2 * lo + p, if complete
            assert h == stored.get(2 * lo + p), (lo, length, p)
        assert tops == [stored[i] for i in merkle.range_ids(lo, length)]
