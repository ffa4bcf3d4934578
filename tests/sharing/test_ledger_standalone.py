"""The auditor's bundle and ``verify_standalone.py`` run as a separate program: a copy of the one
file, in another folder, where importing OpenKAMP fails. Exported bundles verify; tampered ones
fail with exit status 1 and a message that says what is wrong."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

import openkamp.sharing.verify_standalone as standalone
from openkamp.core.errors import InvalidInput
from openkamp.sharing import Entry
from openkamp.sharing.verify_standalone import key_id, tree_head_message

from .ledger_support import World, fill, world

SOURCE = Path(standalone.__file__)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, Path]]:
    """A ledger of 48 entries and three bundles: the whole log, acme's and beta's."""
    root = tmp_path_factory.mktemp("ledger")
    for w in world(root):
        fill(w, [5, 3, 8, 1, 4, 6, 2, 7, 4, 8])
        w.ledger.append(w.gamma, [Entry("export", dataset="gamma-only@1")])  # concerns gamma only
        w.ledger.export(root / "log")
        w.ledger.export(root / "acme", org=w.acme)
        w.ledger.export(root / "beta", org=w.beta)
        yield w, root


@pytest.fixture(scope="module")
def verifier(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., tuple[int, str]]:
    """Runs a copy of verify_standalone.py as a program, with a decoy ``openkamp`` package
    first on its path that fails on import: the verifier must need only its one file."""
    place = tmp_path_factory.mktemp("auditor")
    shutil.copy(SOURCE, place / "verify_standalone.py")
    decoy = place / "decoy" / "openkamp"
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("raise ImportError('the verifier imported OpenKAMP')\n")

    def run(bundle: Path, *args: str) -> tuple[int, str]:
        done = subprocess.run(
            [sys.executable, "verify_standalone.py", str(bundle), *args],
            cwd=place,
            env={"PYTHONPATH": str(place / "decoy"), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        return done.returncode, done.stdout + done.stderr

    return run


def copy(src: Path, dst: Path) -> Path:
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    return dst


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")[:-1]


def write_lines(path: Path, rows: list[str]) -> None:
    path.write_text("".join(r + "\n" for r in rows), encoding="utf-8")


def test_it_imports_only_the_standard_library_and_cryptography() -> None:
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module.split(".")[0])
    assert modules - set(sys.stdlib_module_names) == {"cryptography"}


def test_exported_bundles_verify(
    exported: tuple[World, Path], verifier: Callable[..., tuple[int, str]]
) -> None:
    w, root = exported
    code, out = verifier(root / "log")
    assert code == 0, out
    assert "OK:" in out and "49 entries recomputed" in out and "22 signed tree heads" in out
    code, out = verifier(root / "acme", "--platform-key", w.ledger.log_id.hex())
    assert code == 0, out
    acme = len(w.ledger.entries(w.acme, limit=1000))
    assert acme == 48  # all but gamma's own entry
    assert "platform: key pinned" in out and f"{acme} entries of acme proven included" in out
    public = w.ledger.keys.public_key(w.beta)
    assert public is not None
    code, out = verifier(root / "beta", "--platform-key", w.ledger.keys.signer(None).public.hex(),
                         "--org-key", f"beta={public.hex()}")  # fmt: skip
    assert code == 0, out
    beta = len(w.ledger.entries(w.beta, limit=1000))
    assert beta == 36  # the uses of acme's data
    assert f"{beta} entries of beta proven included" in out and "org:beta: key pinned" in out


def test_an_organisations_bundle_holds_only_its_entries(exported: tuple[World, Path]) -> None:
    _, root = exported
    manifest = json.loads((root / "acme" / "manifest.json").read_text())
    assert manifest["scope"] == "organisation" and manifest["organisation"] == "acme"
    for line in lines(root / "acme" / "entries.jsonl"):
        leaf = json.loads(json.loads(line)["leaf"])
        assert "acme" in leaf["parties"]
    signers = {json.loads(x)["signer"] for x in lines(root / "acme" / "heads.jsonl")}
    assert signers == {"platform", "org:acme"}
    keys = {k["signer"] for k in json.loads((root / "acme" / "keys.json").read_text())["keys"]}
    assert keys == {"platform", "org:acme"}
    text = (root / "acme" / "entries.jsonl").read_text()
    assert "gamma-only" not in text and "gamma" not in text


def test_export_refuses_a_folder_that_is_not_empty(exported: tuple[World, Path]) -> None:
    w, root = exported
    with pytest.raises(InvalidInput) as caught:
        w.ledger.export(root / "log")
    assert caught.value.code == "ledger.export_not_empty"


def _edit_line(path: Path, number: int, change: Callable[[dict[str, object]], None]) -> None:
    rows = lines(path)
    obj = json.loads(rows[number])
    change(obj)
    rows[number] = json.dumps(obj, ensure_ascii=False)
    write_lines(path, rows)


def _leaf_text(old: str, new: str) -> Callable[[dict[str, object]], None]:
    def change(obj: dict[str, object]) -> None:
        text = str(obj["leaf"])
        assert old in text
        obj["leaf"] = text.replace(old, new)

    return change


def _entries(bundle: Path, change: Callable[[list[str]], list[str]]) -> None:
    write_lines(bundle / "entries.jsonl", change(lines(bundle / "entries.jsonl")))


def _renumbered(rows: list[str]) -> list[str]:
    return [
        json.dumps({"index": i, "leaf": json.loads(x)["leaf"]}, ensure_ascii=False)
        for i, x in enumerate(rows)
    ]


def _swap(rows: list[str], i: int, j: int) -> list[str]:
    rows = list(rows)
    rows[i], rows[j] = rows[j], rows[i]
    return rows


def changed_leaf(b: Path) -> None:
    _edit_line(b / "entries.jsonl", 23, _leaf_text('"rows":1023', '"rows":23'))


def removed_entry(b: Path) -> None:
    _entries(b, lambda rows: rows[:10] + rows[11:])


def inserted_entry(b: Path) -> None:
    _entries(b, lambda rows: rows[:10] + rows[9:])


def swapped_entries(b: Path) -> None:
    _entries(b, lambda rows: _renumbered(_swap(rows, 12, 13)))


def entry_past_the_last_head(b: Path) -> None:
    _entries(b, lambda rows: _renumbered([*rows, rows[0]]))


def non_canonical_leaf(b: Path) -> None:
    _edit_line(b / "entries.jsonl", 0, _leaf_text('"kind":', '"kind": '))


def head_with_another_root(b: Path) -> None:
    _edit_line(b / "heads.jsonl", 4, lambda h: h.update(root_hash="00" * 32))


def head_with_another_size(b: Path) -> None:
    _edit_line(b / "heads.jsonl", 4, lambda h: h.update(tree_size=int(str(h["tree_size"])) + 1))


def head_signature_altered(b: Path) -> None:
    _edit_line(b / "heads.jsonl", 0, lambda h: h.update(signature="ff" + str(h["signature"])[2:]))


LOG_TAMPERING: dict[str, tuple[Callable[[Path], None], str]] = {
    "a changed leaf": (changed_leaf, "the entries give another root"),
    "a removed entry": (removed_entry, "entry 11 where entry 10 was expected"),
    "an inserted entry": (inserted_entry, "entry 9 where entry 10 was expected"),
    "two entries swapped": (swapped_entries, "the entries give another root"),
    "an entry past the last head": (
        entry_past_the_last_head,
        "not covered by a signed platform tree head",
    ),
    "a non-canonical leaf": (non_canonical_leaf, "not in canonical form"),
    "a head with another root": (head_with_another_root, "the signature does not match"),
    "a head with another size": (head_with_another_size, "the signature does not match"),
    "a head's signature altered": (head_signature_altered, "the signature does not match"),
}


@pytest.mark.parametrize("case", list(LOG_TAMPERING))
def test_a_tampered_log_bundle_fails(
    exported: tuple[World, Path], verifier: Callable[..., tuple[int, str]], tmp_path: Path,
    case: str,
) -> None:  # fmt: skip
    _, root = exported
    bundle = copy(root / "log", tmp_path / "bundle")
    change, message = LOG_TAMPERING[case]
    change(bundle)
    code, out = verifier(bundle)
    assert code == 1, out
    assert "FAILED" in out and message in out, out


def altered_inclusion_proof(b: Path) -> None:
    def change(e: dict[str, object]) -> None:
        proof = list(e["inclusion_proof"])  # type: ignore[call-overload]
        e["inclusion_proof"] = ["00" * 32, *proof[1:]]

    _edit_line(b / "entries.jsonl", 3, change)


def changed_own_leaf(b: Path) -> None:
    _edit_line(b / "entries.jsonl", 7, _leaf_text('"fee":"1250.50"', '"fee":"1.50"'))


def missing_consistency_proof(b: Path) -> None:
    write_lines(b / "consistency.jsonl", lines(b / "consistency.jsonl")[1:])


def altered_consistency_proof(b: Path) -> None:
    def change(c: dict[str, object]) -> None:
        proof = list(c["proof"])  # type: ignore[call-overload]
        c["proof"] = ["11" * 32, *proof[1:]]

    _edit_line(b / "consistency.jsonl", 0, change)


ORG_TAMPERING: dict[str, tuple[Callable[[Path], None], str]] = {
    "an altered inclusion proof": (
        altered_inclusion_proof,
        "its inclusion proof does not lead to the signed root",
    ),
    "a changed leaf": (changed_own_leaf, "its inclusion proof does not lead to the signed root"),
    "a missing consistency proof": (
        missing_consistency_proof,
        "no consistency proof with the newest head",
    ),
    "an altered consistency proof": (
        altered_consistency_proof,
        "not consistent with the newest head",
    ),
}


@pytest.mark.parametrize("case", list(ORG_TAMPERING))
def test_a_tampered_organisation_bundle_fails(
    exported: tuple[World, Path], verifier: Callable[..., tuple[int, str]], tmp_path: Path,
    case: str,
) -> None:  # fmt: skip
    _, root = exported
    bundle = copy(root / "acme", tmp_path / "bundle")
    change, message = ORG_TAMPERING[case]
    change(bundle)
    code, out = verifier(bundle)
    assert code == 1, out
    assert message in out, out


def test_a_bundle_re_signed_with_another_key_fails_when_the_key_is_pinned(
    exported: tuple[World, Path], verifier: Callable[..., tuple[int, str]], tmp_path: Path
) -> None:
    """Someone rewrites an entry and re-signs every head with a key of their own, replacing the
    bundle's keys: self-consistent, so only the key the auditor holds tells."""
    w, root = exported
    bundle = copy(root / "log", tmp_path / "bundle")
    _edit_line(bundle / "entries.jsonl", 23, _leaf_text('"rows":1023', '"rows":23'))
    forger = Ed25519PrivateKey.generate()
    public = forger.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    fake_id = key_id(public)
    leaves = [json.loads(x)["leaf"].encode() for x in lines(bundle / "entries.jsonl")]
    heads = []
    for x in lines(bundle / "heads.jsonl"):
        h = json.loads(x)
        root_hash = standalone.root_of([standalone.leaf_hash(v) for v in leaves[: h["tree_size"]]])
        message = tree_head_message(fake_id, h["tree_size"], h["timestamp"], root_hash)
        h.update(root_hash=root_hash.hex(), key_id=fake_id.hex(),
                 signature=forger.sign(message).hex())  # fmt: skip
        heads.append(json.dumps(h))
    write_lines(bundle / "heads.jsonl", heads)
    keys = [{"signer": s, "key_id": fake_id.hex(), "public_key": public.hex()}
            for s in ("platform", "org:acme", "org:beta", "org:gamma")]  # fmt: skip
    (bundle / "keys.json").write_text(json.dumps({"keys": keys}))
    _edit_manifest(bundle, log_id=fake_id.hex())
    code, out = verifier(bundle)
    assert code == 0 and fake_id.hex() in out and w.ledger.log_id.hex() not in out, out
    code, out = verifier(bundle, "--platform-key", w.ledger.log_id.hex())
    assert code == 1 and "is not the key you gave" in out, out


def _edit_manifest(bundle: Path, **values: object) -> None:
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest.update(values)
    (bundle / "manifest.json").write_text(json.dumps(manifest))


def test_an_unreadable_bundle_gives_status_2(
    exported: tuple[World, Path], verifier: Callable[..., tuple[int, str]], tmp_path: Path
) -> None:
    _, root = exported
    bundle = copy(root / "log", tmp_path / "bundle")
    (bundle / "keys.json").unlink()
    code, out = verifier(bundle)
    assert code == 2 and "keys.json is missing" in out
    code, out = verifier(tmp_path / "nowhere")
    assert code == 2 and "manifest.json is missing" in out
