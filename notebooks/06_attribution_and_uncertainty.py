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
# # 06 Which measure does what, and how sure are we?
#
# Two questions every package raises:
#
# 1. **Attribution.** The package cuts CO2 by X tonnes: how much of that is due to each
#    measure? Measures interact (electric cars make a congestion charge save less CO2), so
#    "run each alone" and "remove each from the package" give different answers. The
#    **Shapley value** averages a measure's effect over every order in which the measures
#    could be added; the contributions add up exactly to the package's effect.
# 2. **Uncertainty.** The behavioural constants are uncertain (most are uncalibrated starting
#    values). A **Monte Carlo** run draws them from documented ranges and shows the spread of
#    the results; a **Morris** screening ranks which constants matter most.
#
# Both run many simulations, so this notebook uses the small York grid, a short horizon and
# few samples. For real work raise the sample counts (see `docs/analysis.md`) and use the
# command line (`mobility-sim attribute`, `mobility-sim sensitivity`), which can resume and
# run in parallel.

# %%
import tempfile
from pathlib import Path

from IPython.display import display

import mobility_sim as ms
from mobility_sim.paths import repo_root
from mobility_sim.analysis import attribute, read_distributions, run_uncertainty
from mobility_sim.analysis.figures import fan_chart_figure, sensitivity_figure, waterfall_figure

ROOT = repo_root()  # the checkout with scenarios/ and cities/
OUT = Path(tempfile.mkdtemp(prefix="mobility_sim_nb06_"))
print("outputs go to:", OUT)

# %% [markdown]
# ## 1. A small package
#
# Three measures on York, 2025 to 2035 every 5 years, with a target year of 2035.

# %%
package_file = OUT / "york_package.yaml"
package_file.write_text("""\
name: york-small-package
city: york
years: {start: 2025, end: 2035, step: 5}
target: {year: 2035, reduction: 0.5}
measures:
  - type: ev_sales_share
    label: EV sales to 100 % by 2035
    start: 2025
    end: 2035
    profile: linear
    share: 1.0
  - type: pt_fare
    label: Half-price PT fares
    start: 2027
    profile: step
    factor: 0.5
  - type: cordon_charge
    label: Central charge 5 EUR
    start: 2028
    profile: step
    eur_per_trip: 5.0
    area: {zone: centre}
""", encoding="utf-8")
loaded = ms.load_scenario(package_file)

# %% [markdown]
# ## 2. Shapley attribution
#
# With three measures the values are exact: every subset of measures is simulated
# (2^3 = 8 runs). Negative contributions are reductions.

# %%
shapley = attribute(loaded, outputs=["co2_wtw_t", "car_vkm"], progress=False)
print(f"method: {shapley.method}, {shapley.n_runs} runs")
table = shapley.in_year(2035, "co2_wtw_t")
display(table[["measure", "contribution"]].round(1))
totals = shapley.totals.query("year == 2035 and output == 'co2_wtw_t'")
display(totals[["without_measures", "package", "effect"]].round(1))
print("sum of contributions:", round(table["contribution"].sum(), 1),
      "| relative gap to the effect:", f"{shapley.efficiency_gap():.1e}")

# %% [markdown]
# The same as a waterfall: each measure's step from the result without any measure.

# %%
waterfall_figure(shapley.contributions, shapley.totals, 2035)

# %% [markdown]
# The same for car vehicle-km: a measure can matter for traffic and little for CO2 (or the
# reverse), e.g. electric car sales cut CO2 without removing a single car trip.

# %%
shapley.in_year(2035, "car_vkm")[["measure", "contribution"]].round(0)

# %% [markdown]
# ## 3. Monte Carlo over the behavioural constants
#
# `scenarios/uncertainty/behaviour.yaml` gives a distribution, with its source, for each
# behavioural constant (time and cost coefficients, the car constant, destination scales).
# We draw 8 samples only, so the percentiles below are rough; use a few hundred for real work.

# %%
space = read_distributions(ROOT / "scenarios" / "uncertainty" / "behaviour.yaml")
print("uncertain inputs:", ", ".join(space.names))
mc = run_uncertainty(loaded, space, method="montecarlo", n=8, seed=1, progress=False)
fan = mc.fan()
print(f"{mc.output} in the runs (percentiles), {len(mc.samples)} samples:")
display(fan.pivot(index="year", columns="quantile", values="value").round(0))
print("with the default values:")
display(mc.reference[["year", mc.output]].round(0))
fan_chart_figure(fan, mc.reference, output=mc.output)

# %% [markdown]
# ## 4. Morris screening: which constants matter?
#
# Morris moves one input at a time along a few random trajectories ((inputs + 1) runs per
# trajectory). `mu_star` is the mean absolute effect on the target-year CO2: a large value
# means the result depends on that constant, so it deserves calibration or local data.

# %%
morris = run_uncertainty(loaded, space, method="morris", n=4, seed=1, progress=False)
print(f"{len(morris.table['sample'].unique())} runs")
display(morris.indices.round(1))
print(morris.summary_text())
sensitivity_figure(morris.indices, "morris")
