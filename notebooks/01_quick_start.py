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
# # 01 Quick start: run a scenario on Helsinki and read the results
#
# `mobility_sim` runs a city's transport decarbonisation measures year by year on a 1 km grid
# of the real city. Each year it computes where residents go and by which mode (walk, bike,
# e-bike, public transport, combustion car, electric car), updates the car fleet with that
# year's sales, and turns the kilometres into CO2.
#
# In this notebook you will:
#
# 1. run the shipped Helsinki *SUMP package* scenario (every measure of the library together);
# 2. read the result tables (one row per year, per mode, per grid cell);
# 3. look at the modal split and the CO2 trajectory;
# 4. open the offline dashboard.
#
# This file is a [jupytext](https://jupytext.readthedocs.io) notebook. `make lab` installs
# JupyterLab with jupytext and opens the notebooks folder, where a double-click opens the file
# as a notebook. Tables show as tables and charts are drawn inline.

# %%
import tempfile
from pathlib import Path

import pandas as pd
from IPython.display import display

import mobility_sim as ms
from mobility_sim.paths import repo_root
from mobility_sim.report import build_dashboard

ROOT = repo_root()  # the checkout with scenarios/ and cities/
OUT = Path(tempfile.mkdtemp(prefix="mobility_sim_nb01_"))
print("repository:", ROOT)
print("outputs go to:", OUT)

# %% [markdown]
# ## 1. Run a scenario
#
# A scenario is a YAML file: a city, the years, and a list of measures. The SUMP package
# *extends* the Helsinki baseline (no new measure of the city: the reference case of EU and
# Finnish policy already decided, `docs/reference_case.md`) and adds faster electrification of
# cars and buses, more frequent public transport, a tram line, cheaper fares, cycling, parking
# prices, a congestion charge, a zero-emission zone and more. Print the first lines of the
# file:

# %%
scenario_file = ROOT / "scenarios" / "helsinki" / "sump_package.yaml"
print("\n".join(scenario_file.read_text(encoding="utf-8").splitlines()[:30]))

# %% [markdown]
# `ms.run` loads the file, checks it, simulates every year (2025 to 2050 here) and writes the
# run folder: Parquet tables, the resolved scenario, `run.json` and `dashboard.html`.

# %%
baseline = ms.run(ROOT / "scenarios" / "helsinki" / "baseline.yaml", out=OUT / "baseline",
                  dashboard=False)
package = ms.run(scenario_file, out=OUT / "sump_package", progress=True)  # a bar over years
print("written to:", package.meta["output_folder"])
print(sorted(p.name for p in Path(package.meta["output_folder"]).iterdir()))

# %% [markdown]
# A run shows itself: the scenario, the years, the headline numbers, and which of the city's
# inputs are observed and which are proxies or model defaults (say so when you present them).

# %%
package

# %% [markdown]
# ## 2. The result tables
#
# `summary` has one row per year: residents, trips, passenger-km, car vehicle-km, CO2
# tank-to-wheel (exhaust) and well-to-wheel (including fuel and electricity production), per
# resident, the share of electric cars in the fleet and the grid intensity.
#
# What is counted: trips of the residents of the grid cells, counted at their home cell, whole
# (trips leaving the grid, the GHS *urban centre*, included), and public transport service.
# `package.accounts` has the territorial accounting too (all traffic on the grid's roads:
# non-residents, through traffic, vans and lorries).

# %%
print(package.summary.columns.tolist())
cols = ["year", "population", "co2_wtw_t", "co2_wtw_per_capita_kg"]
package.summary[cols].head(8).round(1)

# %% [markdown]
# `modes` has one row per year and mode (trips, passenger-km, vehicle-km, CO2); `cells` one
# row per year and grid cell; `segments` splits trips by car availability and purpose.

# %%
first_year = package.modes[package.modes["year"] == package.modes["year"].min()]
first_year.round(1)

# %% [markdown]
# ## 3. Modal split
#
# `mode_share()` groups the six model modes into the four survey groups (walk, bike, pt,
# car; e-bikes count as bikes) and gives the share of trips per year.

# %%
def split_table(results: ms.Results, years: list[int]) -> pd.DataFrame:
    """Modal split (share of trips) by year and mode group, for the given years."""
    share = results.mode_share()
    share = share[share["year"].isin(years)]
    return share.pivot(index="year", columns="mode_group", values="share").round(3)


years = [2025, 2030, 2040, 2050]
print("baseline:")
display(split_table(baseline, years))
print("SUMP package:")
display(split_table(package, years))

# %% [markdown]
# Every figure of the dashboard is one call on the results, drawn inline: here the modal
# split of every year.

# %%
package.plot.mode_share()

# %% [markdown]
# ## 4. CO2 trajectory
#
# The well-to-wheel CO2 of the package against the baseline, and the package's reduction.
# The scenario's target (here the EU's -55 % applied to 2025, for illustration) is in
# `package.meta["target"]`.

# %%
traj = baseline.summary[["year", "co2_wtw_t"]].merge(
    package.summary[["year", "co2_wtw_t"]], on="year", suffixes=("_baseline", "_package"))
traj["reduction_pct"] = 100 * (1 - traj["co2_wtw_t_package"] / traj["co2_wtw_t_baseline"])
print("target:", package.meta["target"])
traj[traj["year"].isin([2025, 2030, 2035, 2040, 2050])].round(1)

# %% [markdown]
# The dashboard's trajectory, with the baseline in grey and the target path dashed. A figure
# is a Plotly figure: `fig.write_html(...)` or `fig.write_image(...)` (PNG, SVG, PDF) save it
# for a report.

# %%
fig = package.plot.emissions(baseline=baseline)
fig.write_html(OUT / "co2_trajectory.html", include_plotlyjs=True)
fig

# %% [markdown]
# The other figures: `package.plot` lists them. For example the CO2 per resident by home
# cell in 2030, and the change of the car share of trips since 2025:

# %%
print(package.plot)
display(package.plot.co2_map(2030))
package.plot.car_share_change_map()

# %% [markdown]
# ## 5. The dashboard
#
# `dashboard.html` is self-contained (plotly.js embedded): it opens offline and can be sent as
# an e-mail attachment. `build_dashboard` makes the same page in memory (here with the
# baseline drawn on the trajectory); alone in a cell it shows itself in a frame, and
# `.write(path)` saves it.

# %%
page = build_dashboard(package, baseline=baseline)
dashboard = page.write(OUT / "dashboard_with_baseline.html")
print("dashboard:", dashboard, f"({dashboard.stat().st_size / 1e6:.1f} MB)")
page

# %% [markdown]
# ## 6. Reading a run folder back
#
# A saved run can be read again later without rerunning it:

# %%
again = ms.Results.load(OUT / "sump_package")
assert again.summary["co2_wtw_t"].equals(package.summary["co2_wtw_t"])
print("reloaded", len(again.summary), "years of", again.meta["scenario_name"])
