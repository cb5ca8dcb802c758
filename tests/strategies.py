"""Hypothesis strategies shared by every test module."""

from __future__ import annotations

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
json_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
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
@st.composite
def raw_ballots(
    draw: st.DrawFn, *, min_candidates: int = 1, max_candidates: int = 7, max_ballots: int = 60
) -> tuple[int, list[tuple[int, ...]]]:
    """(number of candidates, ballots as candidate indices in ranked order, one per voter)."""
    n = draw(st.integers(min_value=min_candidates, max_value=max_candidates))
    order = st.lists(st.integers(min_value=0, max_value=n - 1), max_size=n + 1)
    ballots = draw(st.lists(order.map(tuple), min_size=1, max_size=max_ballots))
    return n, ballots


lot_seeds = st.binary(min_size=32, max_size=32)
