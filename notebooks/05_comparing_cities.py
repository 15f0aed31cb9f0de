# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 05 The same package in several cities
#
# Would a measure package that works in one city work in another? Here the same three
# measures run on three small shipped cities, **Graz**, **Aarhus** and **York**, and the
# results are compared **per resident** (the grids differ a lot in size).
#
# Remember what differs between the cities in the model: the grid (residents, their spread,
# the jobs proxy around the city's real centre), the reference case of each country (its
# fleet, EU and national rules, its grid's projected intensity, fuel and electricity prices),
# the city's published car ownership and central parking tariff where its data sheet has
# them, and its calibration: Graz and York are calibrated to published splits, Aarhus runs on
# constants transferred from the calibrated cities (flagged "not calibrated"). Public
# transport and cycling infrastructure are density-scaled defaults unless the city has real
# layers.

# %%
import tempfile
from pathlib import Path

import pandas as pd
from IPython.display import display

import mobility_sim as ms
from mobility_sim.paths import repo_root
from mobility_sim.report import build_city_comparison

ROOT = repo_root()  # the checkout with scenarios/ and cities/
OUT = Path(tempfile.mkdtemp(prefix="mobility_sim_nb05_"))
CITIES = ["graz", "aarhus", "york"]
print("outputs go to:", OUT)

# %% [markdown]
# ## 1. One package, written once per city
#
# The package text is the same; only `city:` changes. A short horizon (2025 to 2040, every
# 5 years) keeps this quick. `zone: centre` exists in every shipped city.

# %%
PACKAGE = """\
name: {slug}-package
description: EV sales to 100 % by 2035, protected cycle lanes, central parking 3 EUR/h.
city: {slug}
years: {{start: 2025, end: 2040, step: 5}}
target: {{year: 2040, reduction: 0.55}}
measures:
  - type: ev_sales_share
    label: EV sales to 100 % by 2035
    start: 2025
    end: 2035
    profile: linear
    share: 1.0
  - type: cycle_network
    label: Protected cycle lanes on 50 % of streets
    start: 2026
    end: 2035
    profile: linear
    share: 0.5
  - type: parking_price
    label: Central parking 3 EUR/h
    start: 2027
    profile: step
    eur_per_hour: 3.0
    area: {{zone: centre}}
"""
BASELINE = """\
name: {slug}-short-baseline
city: {slug}
years: {{start: 2025, end: 2040, step: 5}}
"""

runs, baselines = [], []
for slug in CITIES:
    for template, bucket in ((PACKAGE, runs), (BASELINE, baselines)):
        path = OUT / f"{slug}_{'package' if template is PACKAGE else 'baseline'}.yaml"
        path.write_text(template.format(slug=slug), encoding="utf-8")
        bucket.append(ms.run(path, save=False))
    print(f"{slug}: {runs[-1].meta['n_cells']} cells, "
          f"{runs[-1].summary['population'].iloc[0]:,.0f} residents")

# %% [markdown]
# ## 2. Per-resident KPIs
#
# CO2 per resident (well-to-wheel, kg per year), the package's reduction against the city's
# own baseline in 2040, and the car share of trips.

# %%
rows = []
for base, run in zip(baselines, runs, strict=True):
    b = base.summary.set_index("year")
    r = run.summary.set_index("year")
    car = run.mode_share().query("mode_group == 'car'").set_index("year")["share"]
    car_base = base.mode_share().query("mode_group == 'car'").set_index("year")["share"]
    rows.append({
        "city": run.meta["city_name"],
        "grid gCO2/kWh": round(run.meta["grid_gco2e_per_kwh"]),
        "kg CO2/res 2025": r.loc[2025, "co2_wtw_per_capita_kg"],
        "kg CO2/res 2040 baseline": b.loc[2040, "co2_wtw_per_capita_kg"],
        "kg CO2/res 2040 package": r.loc[2040, "co2_wtw_per_capita_kg"],
        "reduction vs baseline 2040 %": 100 * (1 - r.loc[2040, "co2_wtw_t"]
                                               / b.loc[2040, "co2_wtw_t"]),
        "car share 2040 baseline": car_base.loc[2040],
        "car share 2040 package": car.loc[2040],
    })
kpis = pd.DataFrame(rows).set_index("city")
kpis.round(2).T

# %% [markdown]
# One figure per city, drawn from each run: the trajectory of the package in each city.

# %%
for run in runs:
    display(run.plot.emissions())

# %% [markdown]
# ## 3. The comparison page
#
# `build_city_comparison` makes one offline page with per-resident trajectories, small
# multiples of the modal split and a ranking; it shows itself below and `.write(path)` saves
# it. From the command line: `mobility-sim compare-cities RUN_DIR RUN_DIR ... --out
# cities.html`.

# %%
page = build_city_comparison(runs)
print("comparison page:", page.write(OUT / "cities.html"))
page

# %% [markdown]
# When reading the ranking: the cities' baselines are uncalibrated, their grids are GHS urban
# centres of very different extent, and their jobs are a proxy. Differences of a few percent
# between cities are within what these simplifications can produce.
