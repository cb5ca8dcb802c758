"""Hypothesis strategies shared by every test module."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from crypto.elgamal import EMBEDDING_CAPACITY, Ciphertext, PublicKey, SecretKey
from crypto.group import N, Point, Scalar, g_pow

scalars = st.integers(min_value=0, max_value=N - 1).map(Scalar)
nonzero_scalars = st.integers(min_value=1, max_value=N - 1).map(Scalar)
points: st.SearchStrategy[Point] = nonzero_scalars.map(g_pow)
contexts = st.binary(max_size=64)

# §7 threshold parameters (n, t) with 1 <= t <= n <= 7.
trustee_counts = st.integers(min_value=1, max_value=7)
thresholds: st.SearchStrategy[tuple[int, int]] = trustee_counts.flatmap(
    lambda n: st.tuples(st.just(n), st.integers(min_value=1, max_value=n))
)

# JSON values verivote can hold: integers in the I-JSON range, no floats, valid Unicode.
json_text = st.text(st.characters(codec="utf-8"), max_size=20)  # no lone surrogates
json_ints = st.integers(min_value=-(2**53 - 1), max_value=2**53 - 1)
json_values = st.recursive(
    st.none() | st.booleans() | json_ints | json_text,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(json_text, children, max_size=5)
    ),
    max_leaves=25,
)
# Any Python strings, lone surrogates frequent (what a JSON "\udc00" escape decodes to), and
# the JSON-shaped values built from them, surrogates in keys and in values.
surrogates = st.integers(min_value=0xD800, max_value=0xDFFF).map(chr)
any_text = st.text(surrogates | st.characters(), max_size=8)
any_json_values = st.recursive(
    st.none() | st.booleans() | json_ints | any_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(any_text, children, max_size=4)
    ),
    max_leaves=12,
)

# Spec §5 ElGamal: key pairs, some public keys carrying a fixed-base table as an election key
# would. Tables take ~70 ms to build, so those come from a small fixed pool.
secret_keys = nonzero_scalars.map(SecretKey)
_TABLED_PAIRS = [
    (sk, sk.public_key().precompute())
    for sk in (SecretKey(Scalar(0x5EC2E7)), SecretKey(Scalar(N - 2)))
]
key_pairs: st.SearchStrategy[tuple[SecretKey, PublicKey]] = st.one_of(
    secret_keys.map(lambda sk: (sk, sk.public_key())), st.sampled_from(_TABLED_PAIRS)
)
public_keys: st.SearchStrategy[PublicKey] = key_pairs.map(lambda pair: pair[1])
small_messages = st.integers(min_value=0, max_value=1000)
ciphertexts: st.SearchStrategy[Ciphertext] = st.builds(Ciphertext, points, points)
embeddable = st.binary(max_size=EMBEDDING_CAPACITY)


# Ranked ballots (spec §12.1): candidates in ranked order, possibly with repeats to be cut.
RawBallots = tuple[int, list[tuple[int, ...]]]
"""A number of candidates and ballots as candidate indices in ranked order."""


@st.composite
def raw_ballots(
    draw: st.DrawFn, *, min_candidates: int = 1, max_candidates: int = 7, max_ballots: int = 60
) -> RawBallots:
    """(number of candidates, ballots as candidate indices in ranked order, one per voter)."""
    n = draw(st.integers(min_value=min_candidates, max_value=max_candidates))
    order = st.lists(st.integers(min_value=0, max_value=n - 1), max_size=n + 1)
    ballots = draw(st.lists(order.map(tuple), min_size=1, max_size=max_ballots))
    return n, ballots


lot_seeds = st.binary(min_size=32, max_size=32)


# --- fuzzing: mutations of valid documents (tests/fuzz) ------------------------------------
# A parser is fuzzed with inputs near valid ones, where its deeper checks run: a valid document
# with one to three changes (a member dropped, added or renamed, a value replaced by another of
# any type, a hex digit changed, a list cut or grown, a subtree copied from elsewhere), or its
# bytes with one to three edits.

_N_HEX = (2**256 - 2**32 - 977, 2**252 + 27742317777372353535851937790883648493)
tricky_ints = st.sampled_from(
    [0, 1, -1, 2, 7, 64, 255, 256, 2**31, 2**32, 2**53 - 1, -(2**53 - 1), 2**53, 2**64, -(2**63)]
) | st.integers(min_value=-(2**53 - 1), max_value=2**53 - 1)
hex_strings = st.one_of(
    st.integers(min_value=0, max_value=70)
    .flatmap(lambda n: st.binary(min_size=n, max_size=n))
    .map(bytes.hex),
    st.sampled_from(
        [
            "00" * 32,
            "ff" * 32,
            "00" * 33,
            "02" + "ff" * 32,
            "04" + "11" * 32,
            *(x.to_bytes(32, "big").hex() for x in _N_HEX),
            "0" * 63,
            "AB" * 32,
            " " + "00" * 31 + " ",
        ]
    ),
)
tricky_values: st.SearchStrategy[object] = st.one_of(
    st.none(),
    st.booleans(),
    tricky_ints,
    hex_strings,
    st.text(max_size=30),
    st.sampled_from(["", "x" * 5000, "\u00e9", "\U0001f5f3", "e1", "ballot", "voter"]),
    st.builds(list),  # a new one each time: a later change may grow it
    st.builds(dict),
    json_values,
)


def _nodes(value: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _nodes(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _nodes(item, (*path, i))
    return found


def _get(value: Any, path: tuple[object, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


def _set(value: Any, path: tuple[object, ...], new: object) -> Any:
    if not path:
        return new
    _get(value, path[:-1])[path[-1]] = new
    return value


def _mutate(draw: st.DrawFn, value: Any) -> Any:
    nodes = _nodes(value)
    path = draw(st.sampled_from(nodes))
    node = _get(value, path)
    choices = ["replace", "splice", "retype"]
    if isinstance(node, dict):
        choices += ["drop", "add", "rename"] if node else ["add"]
    elif isinstance(node, list):
        choices += ["cut", "duplicate", "reverse", "empty", "append"] if node else ["append"]
    elif isinstance(node, str):
        choices += ["digit", "case", "shorten", "lengthen"]
    elif isinstance(node, int) and not isinstance(node, bool):
        choices += ["nudge"]
    op = draw(st.sampled_from(choices))
    if op == "replace":
        return _set(value, path, draw(tricky_values))
    if op == "splice":  # a copy of another subtree of the same document
        other = draw(st.sampled_from(nodes))
        return _set(value, path, copy.deepcopy(_get(value, other)))
    if op == "retype":
        if isinstance(node, bool):
            return _set(value, path, int(node))
        if isinstance(node, int):
            return _set(value, path, str(node))
        if isinstance(node, str):
            return _set(value, path, [node])
        if isinstance(node, dict):
            return _set(value, path, list(node.values()))
        if isinstance(node, list):
            return _set(value, path, {str(i): v for i, v in enumerate(node)})
        return _set(value, path, "null")
    if op == "drop":
        del node[draw(st.sampled_from(sorted(node)))]
    elif op == "add":
        keys = sorted({str(p[-1]) for p in nodes if p and isinstance(p[-1], str)} | {"x"})
        node[draw(st.sampled_from(keys) | st.text(max_size=5))] = draw(tricky_values)
    elif op == "rename":
        key = draw(st.sampled_from(sorted(node)))
        node[key + draw(st.sampled_from(["_", "s", " ", "\u00e9"]))] = node.pop(key)
    elif op == "cut":
        del node[draw(st.integers(min_value=0, max_value=len(node) - 1))]
    elif op == "duplicate":
        i = draw(st.integers(min_value=0, max_value=len(node) - 1))
        node.insert(i, copy.deepcopy(node[i]))
    elif op == "reverse":
        node.reverse()
    elif op == "empty":
        node.clear()
    elif op == "append":
        node.append(draw(tricky_values))
    elif op == "digit":  # one character changed, a hex digit for a hex string
        if not node:
            return _set(value, path, "0")
        i = draw(st.integers(min_value=0, max_value=len(node) - 1))
        c = draw(st.sampled_from("0123456789abcdefABCDEFgx -"))
        return _set(value, path, node[:i] + c + node[i + 1 :])
    elif op == "case":
        return _set(value, path, node.upper() if node != node.upper() else node.lower())
    elif op == "shorten":
        return _set(value, path, node[: draw(st.integers(min_value=0, max_value=len(node)))])
    elif op == "lengthen":
        return _set(value, path, node + draw(st.sampled_from(["00", "0", "ff", "x", " "])))
    elif op == "nudge":
        return _set(value, path, node + draw(st.sampled_from([-1, 1, -node, 2**53 - 1 - node])))
    return value


@st.composite
def mutated_json(draw: st.DrawFn, seed: object, *, max_changes: int = 3) -> Any:
    """``seed`` (a JSON value, not changed) with 1 to ``max_changes`` random changes."""
    value = copy.deepcopy(seed)
    for _ in range(draw(st.integers(min_value=1, max_value=max_changes))):
        value = _mutate(draw, value)
    return value


@st.composite
def mutated_bytes(draw: st.DrawFn, seed: bytes, *, max_changes: int = 3) -> bytes:
    """``seed`` with 1 to ``max_changes`` edits: a bit flipped, bytes inserted, deleted,
    duplicated or replaced, the end cut, garbage appended."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(min_value=1, max_value=max_changes))):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        op = draw(st.sampled_from(["flip", "insert", "delete", "duplicate", "replace", "cut"]))
        if op == "flip" and at < len(data):
            data[at] ^= 1 << draw(st.integers(min_value=0, max_value=7))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=4) | st.sampled_from(_JUNK))
        elif op == "delete":
            del data[at : at + draw(st.integers(min_value=1, max_value=8))]
        elif op == "duplicate":
            data[at:at] = data[at : at + draw(st.integers(min_value=1, max_value=40))]
        elif op == "replace" and at < len(data):
            data[at] = draw(st.sampled_from(b'"{}[],:0 \\\n\x00\xff'))
        elif op == "cut":
            del data[at:]
    return bytes(data)


_JUNK = [b'"', b"\\u0000", b"\\ud800", b" ", b"\n", b"\xef\xbb\xbf", b"\xc3", b"1e3", b"-0", b"{}"]
