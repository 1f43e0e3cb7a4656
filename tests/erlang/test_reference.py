"""Erlang formulas against mpmath and against published values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from staffplan import erlang

# Reference values were computed with mpmath at 40 digits by data/make_reference.py.
REF = pd.read_csv(Path(__file__).with_name("data") / "erlang_reference.csv")
C_ROWS = REF[REF.model == "C"]
A_ROWS = REF[REF.model == "A"]


def test_reference_table_covers_the_range() -> None:
    assert C_ROWS.traffic_erl.min() <= 0.01
    assert C_ROWS.traffic_erl.max() >= 100_000
    assert (C_ROWS.agents % 1 != 0).sum() >= 10  # fractional agents are covered
    assert len(A_ROWS) >= 20


def test_erlang_b_matches_mpmath() -> None:
    got = erlang.erlang_b(C_ROWS.agents.to_numpy(), C_ROWS.traffic_erl.to_numpy())
    assert_allclose(got, C_ROWS.erlang_b, rtol=1e-9, atol=0)


def test_erlang_c_service_level_asa_match_mpmath() -> None:
    n, a = C_ROWS.agents.to_numpy(), C_ROWS.traffic_erl.to_numpy()
    aht, t = C_ROWS.aht_s.to_numpy(), C_ROWS.target_answer_s.to_numpy()
    assert_allclose(erlang.erlang_c(n, a), C_ROWS.p_wait, rtol=1e-9, atol=0)
    assert_allclose(erlang.service_level(n, a, aht, t), C_ROWS.service_level, rtol=1e-9, atol=0)
    assert_allclose(erlang.asa(n, a, aht), C_ROWS.asa_s.astype(float), rtol=1e-9, atol=0)


def test_erlang_a_matches_mpmath_birth_death_sums() -> None:
    r = erlang.erlang_a(
        A_ROWS.agents.to_numpy(),
        A_ROWS.traffic_erl.to_numpy(),
        A_ROWS.aht_s.to_numpy(),
        A_ROWS.patience_s.to_numpy(),
        A_ROWS.target_answer_s.to_numpy(),
    )
    assert_allclose(r.p_wait, A_ROWS.p_wait, rtol=1e-9, atol=0)
    assert_allclose(r.p_abandon, A_ROWS.p_abandon, rtol=1e-9, atol=0)
    assert_allclose(r.asa_s, A_ROWS.asa_s, rtol=1e-9, atol=0)
    # One heavily overloaded row has a service level of 5e-11, formed as 1 − P(wait) + ...:
    # its absolute error (1e-14) is at double precision, so an absolute floor is stated.
    assert_allclose(r.service_level, A_ROWS.service_level, rtol=1e-9, atol=1e-13)


def test_classic_100_calls_textbook_example() -> None:
    # The worked Erlang C example used by call-centre textbooks and web calculators
    # (e.g. Call Centre Helper, "Erlang C formula - made simple"): 100 calls in 30 minutes,
    # AHT 180 s, 80% within 20 s -> traffic 10 Erlangs and 14 agents.  The peer library
    # pyworkforce 0.5.4 (its README example, re-run for this project) gives raw_positions 14,
    # service level 0.888, occupancy 0.714 and waiting probability 0.174 for the same case.
    a = erlang.traffic(100, 180, interval_min=30)
    assert a == pytest.approx(10.0)
    assert erlang.required_agents(100, 180, interval_min=30) == 14
    assert round(float(erlang.erlang_c(14, a)), 3) == 0.174
    assert round(float(erlang.service_level(14, a, 180, 20)), 3) == 0.888
    assert round(float(erlang.asa(14, a, 180)), 1) == 7.8
    assert round(float(erlang.occupancy(14, a)), 3) == 0.714


@pytest.mark.parametrize(
    ("trunks", "load_erl"),
    [(1, 0.0101), (2, 0.153), (5, 1.361), (10, 4.461), (20, 12.031), (50, 37.901), (100, 84.064)],
)
def test_erlang_b_table_one_percent(trunks: int, load_erl: float) -> None:
    # Standard printed Erlang B (loss) tables, e.g. those in Iversen, "Teletraffic
    # Engineering and Network Planning" (DTU) and in Cooper, "Introduction to Queueing
    # Theory": the load that n trunks carry at 1% blocking, printed to 3-5 significant
    # digits, so the tolerance is the table's rounding.
    assert float(erlang.erlang_b(trunks, load_erl)) == pytest.approx(0.01, rel=5e-3)


@pytest.mark.parametrize("rho", [0.1, 0.5, 0.9, 0.99])
def test_mm1_and_mm2_closed_forms(rho: float) -> None:
    # Kleinrock, "Queueing Systems, Vol. 1" (1975), M/M/1 and M/M/m: P(wait) = ρ and
    # W = ρ/(μ(1−ρ)) for one server; P(wait) = 2ρ²/(1+ρ) for two servers (ρ = a/2).
    aht = 100.0
    assert_allclose(erlang.erlang_c(1, rho), rho, rtol=1e-12)
    assert_allclose(erlang.asa(1, rho, aht), rho * aht / (1 - rho), rtol=1e-12)
    assert_allclose(erlang.erlang_c(2, 2 * rho), 2 * rho**2 / (1 + rho), rtol=1e-12)


@pytest.mark.parametrize(("n", "a"), [(1, 0.5), (5, 4.0), (20, 25.0), (300, 280.0)])
def test_erlang_a_with_patience_equal_to_aht_is_poisson(n: int, a: float) -> None:
    # Palm's observation (Mandelbaum & Zeltyn 2007, Sec. on θ = μ): when mean patience
    # equals AHT every contact in the system leaves at rate μ, so the number in system
    # is Poisson(a) as in M/M/∞: P(wait) = P(N >= n), P(abandon) = E[(N − n)+] / a.
    r = erlang.erlang_a(n, a, 200.0, 200.0, 20.0)
    assert_allclose(r.p_wait, stats.poisson.sf(n - 1, a), rtol=1e-9)
    k = np.arange(n, n + 2000)
    excess = np.sum((k - n) * stats.poisson.pmf(k, a))
    assert_allclose(r.p_abandon, excess / a, rtol=1e-9)
