"""The Merkle code against the reference implementation's vectors (transparency-dev/merkle)."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from federation.signedlog.merkle import (
    EMPTY_ROOT,
    LeafHashes,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_from_leaf_hashes,
    tree_root,
    verify_consistency,
    verify_inclusion,
)

VECTORS = (
    Path(__file__).resolve().parents[3].parent / "shared" / "vectors" / "transparency-dev-merkle"
)
EXPECTED_CASES = 196

# The eight RFC 6962 reference leaves used by transparency-dev/merkle's testonly package.
REFERENCE_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
ROOT_OF_EIGHT = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
EMPTY_TREE_ROOT = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@dataclass(frozen=True)
class Case:
    name: str
    data: dict[str, Any]

    def hash(self, field: str) -> bytes:
        return base64.b64decode(self.data[field])

    @property
    def proof(self) -> list[bytes]:
        return [base64.b64decode(item) for item in self.data["proof"] or []]

    @property
    def is_inclusion(self) -> bool:
        return "leafIdx" in self.data


def load_cases() -> list[Case]:
    assert VECTORS.is_dir(), f"vector folder missing: {VECTORS}"
    return [
        Case(path.relative_to(VECTORS).as_posix(), json.loads(path.read_text()))
        for path in sorted(VECTORS.rglob("*.json"))
    ]


CASES = load_cases()
HAPPY_PATHS = [case for case in CASES if not case.data["wantErr"] and "happy" in case.name]


def verify(case: Case) -> None:
    if case.is_inclusion:
        verify_inclusion(
            case.hash("leafHash"),
            case.data["leafIdx"],
            case.data["treeSize"],
            case.proof,
            case.hash("root"),
        )
    else:
        verify_consistency(
            case.data["size1"],
            case.data["size2"],
            case.proof,
            case.hash("root1"),
            case.hash("root2"),
        )


def test_all_reference_vectors_are_found() -> None:
    assert len(CASES) == EXPECTED_CASES
    kinds = {case.name.split("/")[0] for case in CASES}
    assert kinds == {"inclusion", "consistency"}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_reference_vector(case: Case) -> None:
    if case.data["wantErr"]:
        with pytest.raises(ProofError):
            verify(case)
    else:
        verify(case)


def reference_tree() -> LeafHashes:
    return LeafHashes([leaf_hash(entry) for entry in REFERENCE_LEAVES])


def test_the_empty_tree_root_is_sha256_of_nothing() -> None:
    assert EMPTY_ROOT.hex() == EMPTY_TREE_ROOT
    assert root_from_leaf_hashes([]) == EMPTY_ROOT
    assert tree_root(reference_tree(), 0) == EMPTY_ROOT


def test_the_eight_reference_leaves_have_the_known_root() -> None:
    hashes = [leaf_hash(entry) for entry in REFERENCE_LEAVES]
    assert root_from_leaf_hashes(hashes).hex() == ROOT_OF_EIGHT
    assert tree_root(reference_tree(), 8).hex() == ROOT_OF_EIGHT


def known_roots_from_vectors() -> dict[int, bytes]:
    # The happy paths state the roots of the reference tree at several sizes; collect them.
    roots: dict[int, bytes] = {}
    for case in HAPPY_PATHS:
        if case.is_inclusion:
            roots[case.data["treeSize"]] = case.hash("root")
        else:
            roots[case.data["size1"]] = case.hash("root1")
            roots[case.data["size2"]] = case.hash("root2")
    return roots


def test_roots_of_every_prefix_agree_with_the_vectors() -> None:
    roots = known_roots_from_vectors()
    assert set(roots) >= {1, 2, 3, 5, 6, 7, 8}
    hashes = [leaf_hash(entry) for entry in REFERENCE_LEAVES]
    for size, root in roots.items():
        assert root_from_leaf_hashes(hashes[:size]) == root, size


def test_leaf_and_node_hashes_follow_rfc_6962() -> None:
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    first, second = (leaf_hash(entry) for entry in REFERENCE_LEAVES[:2])
    assert (
        root_from_leaf_hashes([first, second]) == hashlib.sha256(b"\x01" + first + second).digest()
    )


@pytest.mark.parametrize("case", HAPPY_PATHS, ids=[case.name for case in HAPPY_PATHS])
def test_generated_proofs_equal_the_reference_proofs(case: Case) -> None:
    tree = reference_tree()
    if case.is_inclusion:
        assert case.hash("leafHash") == tree.perfect(0, case.data["leafIdx"])
        generated = inclusion_proof(tree, case.data["leafIdx"], case.data["treeSize"])
    else:
        generated = consistency_proof(tree, case.data["size1"], case.data["size2"])
    assert generated == case.proof


def test_every_happy_path_is_checked_against_generation() -> None:
    # Five inclusion and five consistency happy paths; all are over the reference tree.
    assert len(HAPPY_PATHS) == 10
