"""Hypothesis strategies shared by every test module."""

from __future__ import annotations

from hypothesis import strategies as st

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
