"""Benchmark: the simulator (issue 5), every figure against a baseline run here.

1. PK for one patient-year at 1-minute output (525,600 points): the exact
   piecewise solution (thecal.core.pk) against SciPy's solve_ivp run segment by
   segment on the same input. Target >= 50x, same answer (rel. error <= 1e-6).
   Input: a flex morphine schedule (3 steps a day) plus 4 demand boluses a day.
2. 100,000 patient-years with demand boluses through the population engine, on a
   Dask LocalCluster of 1 and then 2 single-threaded workers (target <= 10 min on
   2 cores), against the per-pump firmware measured on a sample of the same
   patients and scaled up.
3. 1,000,000 patient-years (flex and periodic programs, demand boluses, occlusions,
   constant-flow pumps among them, as population.toml draws them) on 2 Dask
   workers: wall time and the peak memory of each worker process and of this one
   (THECAL_BENCH_MILLION sets the size).
"""

from __future__ import annotations

import os
import time

import numpy as np
from scipy.integrate import solve_ivp

from thecal.adapters import population_worker
from thecal.adapters.dask import DaskBackend
from thecal.core.pk import DrugModel, for_patient
from thecal.core.population import generate, run_cohort
from thecal.data import drug_library, effects, kinetics, policy, population, pump_catalogue
from thecal.services.simulate import simulate
from thecal.services.study.replay import scenario_for
from thecal.services.study.runner import chunk_tasks, totals

DAY = 86400.0
PATIENT_YEARS = int(os.environ.get("THECAL_BENCH_PATIENTS", "100000"))
MILLION = int(os.environ.get("THECAL_BENCH_MILLION", "1000000"))


def year_of_input() -> tuple[np.ndarray, np.ndarray]:
    starts, rates = [], []
    rng = np.random.default_rng(1)
    for d in range(365):
        day = [(0.0, 2000.0), (7 * 3600.0, 4000.0), (22 * 3600.0, 2000.0)]  # mcg/day
        bolus = np.sort(rng.uniform(8 * 3600.0, 21 * 3600.0, 4))
        pieces = []
        for i, (t0, dose) in enumerate(day):
            t1 = day[i + 1][0] if i + 1 < len(day) else DAY
            pieces.append((t0, dose / DAY))
            for b in bolus:
                if t0 <= b < t1:
                    pieces += [(b, dose / DAY + 100.0 / 600.0), (b + 600.0, dose / DAY)]
        for t0, r in sorted(pieces):
            starts.append(d * DAY + t0)
            rates.append(r)
    return np.array(starts), np.array(rates)


def bench_pk() -> None:
    k = for_patient(kinetics().get("morphine"), 70.0, 40.0)
    model = DrugModel.build(k, effects().get("morphine").tolerance_rate_per_s)
    starts, rates = year_of_input()
    times = np.arange(60.0, 365 * DAY + 1, 60.0)
    runs = []
    for _ in range(5):  # best of 5: the first call also pays NumPy's first-use costs
        t0 = time.perf_counter()
        ours = model.run(starts, rates, times)
        runs.append(time.perf_counter() - t0)
    exact_s, cold_s = min(runs), runs[0]
    a, b = model.system.matrix, model.system.input_vector
    theirs = np.empty((times.size, 5))
    x = np.zeros(5)
    ends = [*starts[1:], times[-1] + 1.0]
    t0 = time.perf_counter()
    for i, (s0, s1) in enumerate(zip(starts, ends, strict=True)):
        inside = (times >= s0) & (times < s1)
        want = np.concatenate([times[inside], [s1]])
        sol = solve_ivp(lambda _t, y, u=rates[i]: a @ y + b * u, (s0, s1), x, method="LSODA",
                        t_eval=want, rtol=1e-10, atol=1e-14, jac=lambda _t, _y: a)
        theirs[inside] = sol.y.T[:-1]
        x = sol.y[:, -1]
    ivp_s = time.perf_counter() - t0
    csf = theirs[:, 0] / k.csf_volume_ml
    err = np.max(np.abs(ours.csf_mcg_per_ml - csf)) / np.max(csf)
    print("## PK: one patient-year at 1-minute output (525,600 points)")
    print(f"segments of constant input: {starts.size}")
    print("| method | seconds |")
    print("| --- | --- |")
    print(f"| exact piecewise (thecal.core.pk), best of 5 | {exact_s:.3f} |")
    print(f"| exact piecewise, first call | {cold_s:.3f} |")
    print(f"| solve_ivp LSODA, segment by segment | {ivp_s:.2f} |")
    print(f"ratio solve_ivp/exact: {ivp_s / exact_s:.0f}x best, {ivp_s / cold_s:.0f}x first call "
          "(target >= 50x); "
          f"max CSF difference / max CSF: {err:.1e} (target <= 1e-6)\n")


def bench_firmware_sample(n: int = 20) -> float:
    """Seconds per patient-year in the per-pump firmware, on drawn patients."""
    pop = generate(population(), pump_catalogue(), drug_library(), n, seed=77, horizon_days=365,
                   margin_days=policy().refill.margin_days)
    result = run_cohort(pop.cohort)
    library = drug_library()
    t0 = time.perf_counter()
    for i in range(n):
        simulate(scenario_for(pop.cohort, result, i, str(pop.drug[i]), pump_catalogue(), library),
                 library)
    return (time.perf_counter() - t0) / n


def bench_population() -> None:
    tasks = chunk_tasks({"drawn": {}}, PATIENT_YEARS, 2000, seed=2026)
    print(f"## Population: {PATIENT_YEARS:,} patient-years with demand boluses, "
          f"{len(tasks)} chunks of 2,000, on {os.cpu_count()} cores")
    print("| backend | seconds | patient-years/s | demand requests |")
    print("| --- | --- | --- | --- |")
    seconds = {}
    for workers in (1, 2):
        with DaskBackend(None, workers=workers) as backend:
            backend.client.run(lambda: __import__("thecal.adapters.population_worker"))
            t0 = time.perf_counter()
            sums = totals(tasks, backend.map(population_worker.refill_stats, tasks, lambda: None))
            seconds[workers] = time.perf_counter() - t0
        s = sums["drawn"]
        print(f"| Dask LocalCluster, {workers} worker(s) | {seconds[workers]:.1f} | "
              f"{PATIENT_YEARS / seconds[workers]:,.0f} | {int(s['granted'] + s['denied']):,} |")
    per_year = bench_firmware_sample()
    firmware_total = per_year * PATIENT_YEARS
    print(f"| per-pump firmware (20 patients measured, scaled) | {firmware_total:.0f} | "
          f"{1 / per_year:,.0f} | |")
    print(f"2 workers vs 1: {seconds[1] / seconds[2]:.2f}x; population engine on 2 workers vs "
          f"per-pump firmware on 1 core: {firmware_total / seconds[2]:.0f}x; "
          f"target: <= 600 s on 2 cores ({'met' if seconds[2] <= 600 else 'NOT met'})")


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def bench_million() -> None:
    tasks = chunk_tasks({"drawn": {}}, MILLION, 5000, seed=2027)
    print(f"## Population: {MILLION:,} patient-years on 2 Dask workers ({len(tasks)} chunks "
          "of 5,000)")
    with DaskBackend(None, workers=2) as backend:
        backend.client.run(lambda: __import__("thecal.adapters.population_worker"))
        t0 = time.perf_counter()
        sums = totals(tasks, backend.map(population_worker.refill_stats, tasks, lambda: None))
        seconds = time.perf_counter() - t0
        workers = backend.client.run(_peak_rss_mb)
    s = sums["drawn"]
    print("| seconds | patient-years/s | peak RSS per worker (MB) | peak RSS here (MB) | "
          "dry episodes | demand requests |")
    print("| --- | --- | --- | --- | --- | --- |")
    peaks = ", ".join(f"{v:.0f}" for v in workers.values())
    print(f"| {seconds:.0f} | {MILLION / seconds:,.0f} | {peaks} | {_peak_rss_mb():.0f} | "
          f"{int(s['dry_episodes']):,} | {int(s['granted'] + s['denied']):,} |")


if __name__ == "__main__":
    bench_pk()
    bench_population()
    bench_million()
