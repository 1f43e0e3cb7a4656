"""Certainty per day and time-stable service, replayed on held-out days.

    python benchmarks/bench_certainty.py [--quick] [--time-limit 20] [--repeats 3]

1. Replay.  Rolling weekly origins on the fpp2 bank (``../shared/data/fpp2_calls``,
   weekdays 07:00-21:00, 30 min; skipped with a note when absent) and on a
   synthetic 24/7 centre (level wandering from day to day, as real ones do).
   At each origin the forecaster is fitted on the history before it and the
   next week is staffed three ways: to the mean, to the per-interval 0.95
   quantile, and with ``certainty=0.95`` (the same code as ``staffplan.plan``,
   :func:`staffplan.plan._pipeline._requirements`).  Each held-out day is then
   replayed with its *actual* arrivals (``simulate_intervals(...,
   arrivals="exact")``, queues carried over) and by the formula at the actual
   volume.  Reported: share of days meeting the 80/20 target, agent-hours on the
   phones (the requirement, no roster, no shrinkage: the cost each method asks
   for), and the mean predicted chance of a day meeting the target.
2. Time-stable service.  Per interval, the formula's and a simulation's (60
   replications, its own seed) service level for the Erlang requirement and
   for ``staffing="time_stable"`` (the ISA), on the bundled sample's forecast
   week and on the synthetic 24/7 centre: intervals below target by the formula,
   by the simulation's point estimate, and with the simulation's whole 95%
   interval below target (at risk).
3. Whole plans.  ``staffplan.plan`` of a week (mean, ``certainty=0.95``,
   ``staffing="time_stable"``) on the sample and the 24/7 centre: paid hours,
   the summary's counts, and wall time (median of ``--repeats``): the target is
   a certainty plan in under 2x the time of the mean plan.
4. Cost of the queue's own randomness in the chance: CPU time of ``day_chance`` (every
   plan's daily ``p_meet_target``) and of the certainty search, with and without it
   (``queue_noise=``), on a week of the sample (2 queues, 30 min) and of the 24/7 centre.

The replay counts each replication of a held-out day as one day's outcome (pooled
replications would hide the queue's own day-to-day randomness).

Timings on a shared machine: read the ratios.  Writes ``benchmarks/results/certainty.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import staffplan
from staffplan import datasets, forecast, simulate
from staffplan._io import atomic_write_text
from staffplan.plan import ServiceTarget, evaluate_staffing, requirements_frame
from staffplan.plan._certainty import N_PATHS, certainty_scale, day_chance, pooled_paths
from staffplan.plan._isa import time_stable_agents
from staffplan.plan._pipeline import _requirements
from staffplan.plan._service import pool_queues
from staffplan.plan._verdict import simulation_runs

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "certainty.json"
FPP2 = ROOT.parent.parent / "shared" / "data" / "fpp2_calls" / "calls_30min.csv"
TARGET = 0.8
CERTAINTY = 0.95
METHODS = ("mean", "quantile 0.95", f"certainty {CERTAINTY:g}")


def load_fpp2() -> pd.DataFrame | None:
    if not FPP2.is_file():
        return None
    raw = pd.read_csv(FPP2, parse_dates=["timestamp"])
    raw = raw[raw["n5"] == 6]  # the 21:00 bucket holds one 5-minute slot only
    out = raw.rename(columns={"timestamp": "ds", "calls": "volume"})[["ds", "volume"]]
    return out.assign(aht_s=180.0).reset_index(drop=True)


def synthetic_247(weeks: int = 30, seed: int = 11) -> pd.DataFrame:
    """A 24/7 centre: night trough, two daily peaks, weekly pattern, a wandering daily level.

    ``datasets.generate_sample(hours="24/7")``: 2,400 contacts on a midweek day, the
    generator's weekly pattern, a log day level ``z_d = 0.6 z_(d-1) + N(0, 0.06²)``
    (about 7.5 % spread), Poisson counts; one queue, AHT 240 s throughout.
    """
    hist, _ = datasets.generate_sample(
        hours="24/7", weeks=weeks, seed=seed, queues=("all",), daily_volume=2400.0,
        day_sigma=0.06, day_ar=0.6, nb_shape=None, growth_per_week=0.0, events=False,
    )  # fmt: skip
    return hist[["ds", "volume"]].assign(volume=hist["volume"].astype(float), aht_s=240.0)


# -- 1. replay ------------------------------------------------------------------------------


def _day_service(ds: pd.Series, volume: np.ndarray, sl: np.ndarray) -> pd.Series:
    days = pd.DatetimeIndex(ds).normalize()
    w = np.where(volume > 0, volume, 0.0)
    frame = pd.DataFrame({"d": days, "num": np.nan_to_num(sl) * w, "den": w})
    g = frame.groupby("d")[["num", "den"]].sum()
    return g["num"] / g["den"]


def _replayed_reps(
    ds: pd.Series, counts: np.ndarray, aht_s: np.ndarray, agents: np.ndarray, n_reps: int, seed: int
) -> list[np.ndarray]:
    """Answered within 20 s per interval in each of ``n_reps`` replays of the actual counts.

    Each replication is one day's outcome (``simulate_intervals`` pools its replications
    into one service level, which would hide the queue's own day-to-day randomness that
    ``p_meet_target`` now counts); queues carry over within each run of open intervals.
    """
    from staffplan.simulate._des import _draw, _one_replication

    gen = np.random.default_rng(seed)
    out = []
    for _ in range(n_reps):
        within = np.zeros(len(counts))
        for run in simulation_runs(ds, 30):
            drawn = _draw(
                gen, counts[run], aht_s[run], np.full(len(run), np.inf), None, 1800.0, exact=True
            )
            got = _one_replication(*drawn[1:], agents[run].astype(int), 1800.0, 20.0)
            within[run] = got[1]
        out.append(within)
    return out


def replay_origin(
    hist: pd.DataFrame, origin: pd.Timestamp, service: ServiceTarget, n_reps: int, seed: int
) -> list[dict[str, Any]]:
    train = hist[hist["ds"] < origin]
    test = hist[(hist["ds"] >= origin) & (hist["ds"] < origin + pd.Timedelta(days=7))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model = forecast.VolumeForecaster("auto").fit(train)
        last = train["ds"].max()
        fc = model.predict(origin + pd.Timedelta(days=7) - last, quantiles=(0.95,))
    fc = fc[(fc["ds"] >= origin) & (fc["ds"] < origin + pd.Timedelta(days=7))]
    fc = fc.reset_index(drop=True).assign(aht_s=float(hist["aht_s"].iloc[0]))
    demand = pool_queues(fc)
    paths = pooled_paths(
        fc,
        model.sample_paths(fc, n_paths=N_PATHS, rng=np.random.default_rng([seed, 1]), rates=True),
        demand["ds"],
    )  # fmt: skip
    actual = demand[["ds"]].merge(test[["ds", "volume"]], on="ds", how="left")["volume"]
    have_day = actual.notna().groupby(demand["ds"].dt.normalize()).transform("all").to_numpy()
    rows = []
    for name, kw in zip(
        METHODS,
        ({}, {"volume_quantile": 0.95}, {"certainty": CERTAINTY}),
        strict=True,
    ):
        reqs, _ = _requirements(
            demand, paths, service, 30, kw.get("volume_quantile"), kw.get("certainty"), []
        )
        agents = reqs["scheduled_int"].to_numpy(float)  # shrinkage 0: agents on the phones
        chance = day_chance(
            demand["ds"], paths, demand["aht_s"], agents, service=service, interval_min=30
        )
        sel = have_day
        ds, vol, ag = demand["ds"][sel], actual[sel].to_numpy(float), agents[sel]
        formula = evaluate_staffing(
            ds, vol, demand["aht_s"][sel], ag, interval_min=30, target_answer_s=20.0
        )
        reps = _replayed_reps(ds, vol, demand["aht_s"][sel].to_numpy(), ag, n_reps, seed)
        day_formula = _day_service(ds, vol, formula["service_level"].to_numpy())
        hours = pd.Series(ag * 0.5, index=pd.DatetimeIndex(ds).normalize()).groupby(level=0).sum()
        chance = chance.set_index("date").reindex(day_formula.index)
        for r, within in enumerate(reps):
            day_sim = _day_service(ds, vol, within / np.where(vol > 0, vol, 1.0))
            for day in day_sim.index:
                rows.append(
                    {
                        "method": name,
                        "day": str(day.date()),
                        "rep": r,
                        "sim_service_level": float(day_sim[day]),
                        "formula_service_level": float(day_formula[day]),
                        "agent_hours": float(hours[day]),
                        "p_meet_target": float(chance.loc[day, "p_meet_target"]),
                    }
                )
    return rows


def replay(name: str, hist: pd.DataFrame, n_origins: int, n_reps: int) -> dict[str, Any]:
    service = ServiceTarget(service_level=TARGET, target_answer_s=20.0, shrinkage=0.0)
    last_day = hist["ds"].max().normalize()
    first = last_day - pd.Timedelta(days=last_day.day_of_week)  # the last Monday
    origins = [first - pd.Timedelta(weeks=k) for k in range(n_origins)][::-1]
    rows: list[dict[str, Any]] = []
    for i, origin in enumerate(origins):
        rows += replay_origin(hist, origin, service, n_reps, seed=i)
    frame = pd.DataFrame(rows)
    table = []
    for method in METHODS:
        m = frame[frame["method"] == method]
        table.append(
            {
                "dataset": name,
                "method": method,
                "days": int(m["day"].nunique()),
                "day_outcomes": len(m),
                "share_days_met_sim": float((m["sim_service_level"] >= TARGET).mean()),
                "share_days_met_formula": float((m["formula_service_level"] >= TARGET).mean()),
                "mean_day_service_sim": float(m["sim_service_level"].mean()),
                "agent_hours_per_day": float(m["agent_hours"].mean()),
                "mean_predicted_p_meet": float(m["p_meet_target"].mean()),
            }
        )
    base = table[0]["agent_hours_per_day"]
    for row in table:
        row["hours_vs_mean"] = row["agent_hours_per_day"] / base
    return {"table": table, "origins": [str(o.date()) for o in origins]}


# -- 2. time-stable ----------------------------------------------------------------------


def time_stable_measure(name: str, demand: pd.DataFrame, seed: int) -> dict[str, Any]:
    service = ServiceTarget(service_level=TARGET, target_answer_s=20.0, shrinkage=0.0)
    reqs = requirements_frame(
        demand["ds"], demand["volume"], demand["aht_s"], service=service, interval_min=30
    )
    base = reqs["agents"].to_numpy()
    t0 = time.perf_counter()
    isa, facts = time_stable_agents(
        demand["ds"], demand["volume"], demand["aht_s"], base,
        service=service, interval_min=30, rng=seed,
    )  # fmt: skip
    isa_s = time.perf_counter() - t0
    out: dict[str, Any] = {"dataset": name, "intervals": int((demand["volume"] > 0).sum())}
    for label, agents in (("erlang", base), ("time_stable", isa)):
        formula = evaluate_staffing(
            demand["ds"], demand["volume"], demand["aht_s"], agents, interval_min=30
        )
        sim_sl = np.full(len(demand), np.nan)
        sim_hi = np.full(len(demand), np.nan)
        for run in simulation_runs(demand["ds"], 30):
            sim = simulate.simulate_intervals(
                demand["volume"].to_numpy()[run], demand["aht_s"].to_numpy()[run],
                agents[run].astype(int), interval_min=30, n_reps=60, rng=seed + 1000,
            )  # fmt: skip
            sim_sl[run] = sim["service_level"].to_numpy()
            sim_hi[run] = sim["service_level_hi"].to_numpy()
        busy = demand["volume"].to_numpy() > 0
        out[label] = {
            "agent_hours": float(agents.sum() * 0.5),
            "below_formula": int((busy & (formula["service_level"] < TARGET - 1e-9)).sum()),
            "below_sim_point": int((busy & (sim_sl < TARGET)).sum()),
            "at_risk_sim_ci": int((busy & (sim_hi < TARGET)).sum()),
            "worst_sim": float(np.nanmin(np.where(busy, sim_sl, np.nan))),
        }
    out["isa"] = {**facts, "seconds": isa_s}
    return out


# -- 4. cost of the queue's randomness in the chance ----------------------------------------


def chance_cost(name: str, hist: pd.DataFrame, repeats: int = 5) -> dict[str, Any]:
    """CPU time of the day chance and of the certainty search, with and without the queue's
    own randomness, on a week's pooled rate paths (median of ``repeats``)."""
    service = ServiceTarget(service_level=TARGET, target_answer_s=20.0, shrinkage=0.3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model = forecast.VolumeForecaster("auto").fit(hist)
        fc = model.predict("7D")
    demand = pool_queues(fc)
    raw = model.sample_paths(fc, n_paths=N_PATHS, rng=np.random.default_rng([0, 1]), rates=True)
    paths = pooled_paths(fc, raw, demand["ds"])
    reqs = requirements_frame(
        demand["ds"], demand["volume"], demand["aht_s"], service=service, interval_min=30
    )
    on_phones = reqs["scheduled_int"].to_numpy(float) * (1.0 - service.shrinkage)
    out: dict[str, Any] = {
        "dataset": name,
        "intervals": len(demand),
        "queues": int(fc["queue"].nunique()),
    }
    for noise in (False, True):

        def chance(noise: bool = noise) -> None:
            day_chance(
                demand["ds"], paths, demand["aht_s"], on_phones, service=service,
                interval_min=30, queue_noise=noise,
            )  # fmt: skip

        def search(noise: bool = noise) -> None:
            certainty_scale(
                demand["ds"], demand["volume"], demand["aht_s"], paths, certainty=CERTAINTY,
                service=service, interval_min=30, queue_noise=noise,
            )  # fmt: skip

        for label, fn in (("day_chance", chance), ("certainty_scale", search)):
            secs = []
            for _ in range(repeats):
                t0 = time.process_time()
                fn()
                secs.append(time.process_time() - t0)
            out[f"{label}_{'queue_noise' if noise else 'paths_only'}_cpu_ms"] = 1000 * (
                statistics.median(secs)
            )
    return out


# -- 3. whole plans ----------------------------------------------------------------------


def whole_plans(
    name: str, hist: pd.DataFrame, events: Any, time_limit: float, repeats: int
) -> list[dict[str, Any]]:
    rows = []
    kinds = {
        "mean": {},
        f"certainty {CERTAINTY:g}": {"certainty": CERTAINTY},
        "time_stable": {"staffing": "time_stable"},
    }
    for label, kw in kinds.items():
        secs, stages = [], []
        for _ in range(repeats):
            stage: dict[str, float] = {}
            t0 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                p = staffplan.plan(
                    hist, horizon="7D", events=events, time_limit_s=time_limit, num_workers=1,
                    progress=lambda s, t, stage=stage: stage.__setitem__(s, t), **kw,
                )  # fmt: skip
            secs.append(time.perf_counter() - t0)
            stages.append(stage)
        s = p.summary
        rows.append(
            {
                "dataset": name,
                "plan": label,
                "seconds_median": statistics.median(secs),
                "seconds_before_roster": statistics.median(
                    st.get("prepare", 0) + st.get("forecast", 0) + st.get("requirements", 0)
                    for st in stages
                ),
                "paid_hours": s["paid_hours"],
                "p_day_meets_target": s.get("p_day_meets_target"),
                "min_p_day_meets_target": s.get("min_p_day_meets_target"),
                "intervals_below_target_formula": s["intervals_below_target"],
                "sim_intervals_below_target": s.get("sim_intervals_below_target"),
                "intervals_at_risk": s.get("intervals_at_risk"),
                "roster_status": p.settings["roster_status"],
            }
        )
    base = rows[0]["seconds_median"]
    for r in rows:
        r["time_vs_mean"] = r["seconds_median"] / base
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer origins and replications")
    ap.add_argument("--time-limit", type=float, default=20.0, help="roster time limit [s]")
    ap.add_argument("--repeats", type=int, default=3, help="timed repeats of each whole plan")
    ap.add_argument("--skip-plans", action="store_true", help="skip part 3 (whole plans)")
    args = ap.parse_args(argv)
    n_origins = 2 if args.quick else 8
    n_reps = 2 if args.quick else 4
    repeats = 1 if args.quick else args.repeats
    result: dict[str, Any] = {
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "note": "timings on a shared 2-core machine under load; read the ratios",
        "replay": [],
        "time_stable": [],
        "plans": [],
        "chance_cost": [],
    }
    fpp2 = load_fpp2()
    synth = synthetic_247()
    if fpp2 is None:
        print(f"fpp2 data not found at {FPP2}: replay on the synthetic centre only")
    sets = ([("fpp2 bank", fpp2)] if fpp2 is not None else []) + [("synthetic 24/7", synth)]
    print("== 1. replay with actual arrivals (80/20 target, requirement level, no roster)")
    for name, hist in sets:
        rep = replay(name, hist, n_origins, n_reps)
        result["replay"].append(rep)
        print(pd.DataFrame(rep["table"]).round(3).to_string(index=False))
    print("\n== 2. per-interval service: formula vs simulation, Erlang vs time-stable (ISA)")
    sample, events = datasets.load_sample()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fc_sample = forecast.forecast(sample, "7D", events=events)
    demand_sample = pool_queues(fc_sample)
    fc_synth = forecast.forecast(synth, "7D")
    demand_synth = pool_queues(fc_synth)
    for name, demand in (("sample", demand_sample), ("synthetic 24/7", demand_synth)):
        m = time_stable_measure(name, demand, seed=5)
        result["time_stable"].append(m)
        print(json.dumps(m, indent=1))
    if not args.skip_plans:
        print("\n== 3. whole plans of a week")
        for name, hist, ev in (("sample", sample, events), ("synthetic 24/7", synth, None)):
            rows = whole_plans(name, hist, ev, args.time_limit, repeats)
            result["plans"] += rows
            print(pd.DataFrame(rows).round(3).to_string(index=False))
    print("\n== 4. cost of the queue's randomness (CPU ms, median of 5)")
    result["chance_cost"] = [
        chance_cost("sample", sample),
        chance_cost(
            "synthetic 24/7", synth[synth["ds"] >= synth["ds"].max() - pd.Timedelta(weeks=12)]
        ),
    ]
    print(pd.DataFrame(result["chance_cost"]).round(1).to_string(index=False))
    RESULTS.parent.mkdir(exist_ok=True)
    atomic_write_text(RESULTS, json.dumps(result, indent=2, default=float))
    print(f"\nwrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
