"""Make ``erlang_reference.csv``: Erlang B/C/A values computed with mpmath at 40 digits.

Run from the repository root:  python tests/erlang/data/make_reference.py

Erlang B for real n: 1/B(f, a) = e^a a^{-f} Γ(f+1, a) for the fractional part f
(mpmath incomplete gamma with a small first argument), then the exact forward
recursion 1/B(k, a) = 1 + (k/a) · 1/B(k−1, a) up to n.  Erlang C, service level and
ASA follow from B with the textbook M/M/n formulas.

Erlang A (integer n) is summed straight from the birth–death stationary
distribution of the M/M/n+M chain: π_j ∝ a^j / j! for j ≤ n and
π_{n+k} = π_n Π_{i=1..k} λ / (nμ + iθ); P(abandon) = θ E[queue] / λ.  The share
answered within t sums, over the k contacts found ahead, the probability that the
contact is served before its own patience runs out and within t, using that the
virtual wait V (a sum of exponentials with rates nμ + iθ, i = 0..k) has
e^{−θV} ~ Beta(nμ/θ, k+1).
"""

from __future__ import annotations

import csv
from pathlib import Path

import mpmath as mp

mp.mp.dps = 40
OUT = Path(__file__).with_name("erlang_reference.csv")


def inv_b(n: mp.mpf, a: mp.mpf) -> mp.mpf:
    f = n - mp.floor(n)
    inv = mp.exp(a) * a ** (-f) * mp.gammainc(f + 1, a)
    for k in range(1, int(mp.floor(n)) + 1):
        inv = 1 + (f + k) / a * inv
    return inv


def erlang_bc_row(n: float, a: float, aht: float, t: float) -> dict[str, str]:
    nm, am = mp.mpf(n), mp.mpf(a)
    b = 1 / inv_b(nm, am)
    row = {"model": "C", "agents": repr(n), "traffic_erl": repr(a), "aht_s": repr(aht)}
    row |= {"patience_s": "", "target_answer_s": repr(t), "erlang_b": mp.nstr(b, 25)}
    if am < nm:
        c = b / (1 - am / nm * (1 - b))
        sl = 1 - c * mp.exp(-(nm - am) * t / aht)
        asa = c * aht / (nm - am)
        row |= {"p_wait": mp.nstr(c, 25), "service_level": mp.nstr(sl, 25)}
        row |= {"asa_s": mp.nstr(asa, 25)}
    else:
        row |= {"p_wait": "1", "service_level": "0", "asa_s": "inf"}
    row["p_abandon"] = "0"
    return row


def erlang_a_row(n: int, a: float, aht: float, patience: float, t: float) -> dict[str, str]:
    am = mp.mpf(a)
    mu, theta = 1 / mp.mpf(aht), 1 / mp.mpf(patience)
    lam = am * mu
    weights = [mp.mpf(1)]
    for j in range(1, n + 1):
        weights.append(weights[-1] * am / j)
    queue = []
    w = weights[-1]
    k = 0
    while True:
        k += 1
        w = w * lam / (n * mu + k * theta)
        queue.append(w)
        if k > (lam / theta) and w < mp.mpf(10) ** -45 * weights[-1]:
            break
    total = mp.fsum(weights) + mp.fsum(queue)
    p_wait = (weights[-1] + mp.fsum(queue)) / total
    mean_queue = mp.fsum((i + 1) * q for i, q in enumerate(queue)) / total
    p_ab = theta * mean_queue / lam
    x = n * mu / theta
    cut = mp.exp(-theta * t)
    answered_late = mp.mpf(0)
    found = [weights[-1], *queue]  # k = 0, 1, ... contacts ahead
    for k, pk in enumerate(found):
        # E[U; U >= e^{-θt}] with U ~ Beta(x, k+1) = x/(x+k+1) · P(Beta(x+1, k+1) >= e^{-θt}).
        frac = x / (x + k + 1) * mp.betainc(x + 1, k + 1, cut, 1, regularized=True)
        answered_late += pk / total * frac
    sl = 1 - p_wait + answered_late
    return {
        "model": "A",
        "agents": repr(float(n)),
        "traffic_erl": repr(a),
        "aht_s": repr(aht),
        "patience_s": repr(patience),
        "target_answer_s": repr(t),
        "erlang_b": "",
        "p_wait": mp.nstr(p_wait, 25),
        "service_level": mp.nstr(sl, 25),
        "asa_s": mp.nstr(p_ab * patience, 25),
        "p_abandon": mp.nstr(p_ab, 25),
    }


def main() -> None:
    rows = []
    loads = [0.01, 0.1, 0.5, 1.0, 2.5, 10.0, 37.3, 100.0, 512.5, 2000.0, 10000.0, 50000.0, 1e5]
    for a in loads:
        root = float(mp.sqrt(a))
        cands = {
            0.0,
            1.0,
            float(int(a * 0.5)),
            float(int(a * 0.9)) + 0.37,
            float(int(a)),
            float(int(a)) + 1.0,
            float(int(a + 0.5 * root)) + 1.0,
            float(int(a + root)) + 1.5,
            float(int(a + 2 * root)) + 2.0,
            float(int(a + 4 * root)) + 3.25,
            float(int(a * 1.5)) + 1.0,
        }
        for n in sorted(cands):
            if n < 0:
                continue
            row = erlang_bc_row(n, a, 180.0, 20.0)
            if mp.mpf(row["erlang_b"]) < mp.mpf(10) ** -290:
                continue
            rows.append(row)
    for a, aht, patience, t in [
        (1.0, 180.0, 60.0, 20.0),
        (10.0, 180.0, 120.0, 20.0),
        (10.0, 180.0, 600.0, 30.0),
        (25.0, 300.0, 30.0, 10.0),
        (50.0, 240.0, 180.0, 20.0),
        (120.0, 420.0, 90.0, 60.0),
        (300.0, 300.0, 300.0, 20.0),
    ]:
        root = a**0.5
        for n in sorted(
            {max(1, int(a * 0.6)), max(1, int(a)), int(a + root) + 1, int(a + 3 * root) + 1}
        ):
            rows.append(erlang_a_row(n, a, aht, patience, t))
    with OUT.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
