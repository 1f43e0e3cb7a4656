"""Hypothesis properties of the Erlang formulas and the staffing search."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from staffplan import erlang

loads = st.floats(min_value=0.01, max_value=20_000)
ahts = st.floats(min_value=30, max_value=1200)
targets = st.floats(min_value=0, max_value=120)
fractions = st.floats(min_value=0.05, max_value=0.95)


@given(
    a=loads,
    extra=st.floats(min_value=0.01, max_value=200),
    step=st.floats(0.1, 20),
    aht=ahts,
    t=targets,
)
def test_service_level_rises_with_agents(
    a: float, extra: float, step: float, aht: float, t: float
) -> None:
    n = a + extra
    lo, hi = erlang.service_level([n, n + step], a, aht, t)
    assert 0 <= lo <= hi <= 1


@given(
    n=st.floats(min_value=1, max_value=20_000),
    f1=fractions,
    df=st.floats(0.001, 0.5),
    aht=ahts,
    t=targets,
)
def test_service_level_falls_with_traffic(
    n: float, f1: float, df: float, aht: float, t: float
) -> None:
    a1, a2 = n * f1, n * min(f1 + df, 0.999)
    s1, s2 = erlang.service_level(n, [a1, a2], aht, t)
    assert s1 >= s2


@given(n=st.floats(min_value=0, max_value=50_000), a=st.floats(min_value=0.01, max_value=100_000))
def test_probabilities_in_range_and_c_above_b(n: float, a: float) -> None:
    b = float(erlang.erlang_b(n, a))
    c = float(erlang.erlang_c(n, a))
    assert 0 <= b <= 1 and 0 <= c <= 1
    assert c >= b * (1 - 1e-12)


@given(
    n=st.integers(min_value=1, max_value=400),
    rho=st.floats(min_value=0.2, max_value=0.97),
    aht=ahts,
    t=targets,
)
def test_erlang_a_tends_to_erlang_c_with_patience(n: int, rho: float, aht: float, t: float) -> None:
    a = n * rho
    patience = aht * 1e6
    r = erlang.erlang_a(n, a, aht, patience, t)
    assert abs(r.p_wait - erlang.erlang_c(n, a)) < 1e-3
    assert abs(r.service_level - erlang.service_level(n, a, aht, t)) < 1e-3
    assert r.p_abandon < 1e-3
    for x in (r.p_wait, r.p_abandon, r.service_level, r.occupancy):
        assert 0 <= x <= 1


@given(vol=st.floats(1, 5000), aht=ahts, s1=st.floats(0, 0.6), ds=st.floats(0, 0.3))
def test_more_shrinkage_never_needs_fewer_agents(
    vol: float, aht: float, s1: float, ds: float
) -> None:
    r1, r2 = erlang.required_agents(vol, aht, shrinkage=[s1, s1 + ds])
    assert r2 >= r1


@given(
    vol=st.floats(0.5, 20_000),
    aht=st.floats(60, 900),
    sl=fractions,
    t=st.floats(0, 60),
    asa=st.one_of(st.none(), st.floats(1, 120)),
    occ=st.one_of(st.none(), st.floats(0.5, 1.0)),
)
def test_required_agents_is_minimal_erlang_c(vol, aht, sl, t, asa, occ) -> None:  # type: ignore[no-untyped-def]
    n = float(
        erlang.required_agents(
            vol, aht, service_level=sl, target_answer_s=t, max_asa_s=asa, max_occupancy=occ
        )
    )
    a = vol * aht / 1800

    def meets(k: float) -> bool:
        ok = k > a and erlang.service_level(k, a, aht, t) >= sl
        ok = ok and (asa is None or erlang.asa(k, a, aht) <= asa)
        return bool(ok and (occ is None or a <= occ * k))

    assert meets(n)
    assert not meets(n - 1)
    frac = float(
        erlang.required_agents(
            vol,
            aht,
            service_level=sl,
            target_answer_s=t,
            max_asa_s=asa,
            max_occupancy=occ,
            integer=False,
        )
    )
    assert n - 1 < frac <= n
    assert meets(frac)
    assert not meets(frac - 1e-6 * max(1.0, frac))


@given(
    vol=st.floats(0.5, 3000),
    aht=st.floats(60, 900),
    patience=st.floats(5, 1200),
    sl=fractions,
    ab=st.one_of(st.none(), st.floats(0.01, 0.3)),
)
def test_required_agents_is_minimal_erlang_a(vol, aht, patience, sl, ab) -> None:  # type: ignore[no-untyped-def]
    n = float(
        erlang.required_agents(vol, aht, patience_s=patience, service_level=sl, max_abandon=ab)
    )
    assume(np.isfinite(n))
    a = vol * aht / 1800

    def meets(k: float) -> bool:
        r = erlang.erlang_a(k, a, aht, patience, 20)
        return bool(r.service_level >= sl and (ab is None or r.p_abandon <= ab))

    assert meets(n)
    assert n == 0 or not meets(n - 1)
    frac = float(
        erlang.required_agents(
            vol, aht, patience_s=patience, service_level=sl, max_abandon=ab, integer=False
        )
    )
    assert n - 1 < frac <= n
    assert meets(frac)
