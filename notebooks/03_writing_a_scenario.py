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
# # 03 Writing a scenario
#
# A scenario is a small YAML file. It names
#
# * `city`: a shipped city's slug (`helsinki`, `graz`, ...) or the path of a city folder;
# * `years`: `start`, `end` and `step` of the simulation;
# * optionally `target` (a CO2 reduction by a year) and `extends` (one parent scenario whose
#   measures come first);
# * `measures`: each with a `type`, a `start` year, optionally an `end` year, a `profile`
#   (`step`, `linear` or `s-curve`: how the measure ramps up between start and end), its own
#   settings in physical units, and optionally an `area` (a named zone, WKT or a GeoJSON file).
#
# Every measure type and setting is listed in `docs/measures.md`.
#
# In this notebook: write a baseline and a package of three measures for Helsinki, check
# them, see what a typo looks like, run both and compare them on one page.

# %%
import tempfile
from pathlib import Path

from IPython.display import display

import mobility_sim as ms
from mobility_sim.paths import repo_root
from mobility_sim.exceptions import ScenarioError
from mobility_sim.report import build_comparison

ROOT = repo_root()  # the checkout with scenarios/ and cities/
OUT = Path(tempfile.mkdtemp(prefix="mobility_sim_nb03_"))
print("outputs go to:", OUT)

# %% [markdown]
# ## 1. A baseline and a package
#
# The baseline has no measure: today's sales mix, today's public transport. We simulate
# 2025 to 2040 every 5 years to keep this quick (use `step: 1` and `end: 2050` for real work).
# The package extends the baseline and adds three measures:
#
# 1. battery-electric cars rising linearly to 100 % of new sales by 2035;
# 2. public transport headways x 0.67 in the centre (50 % more departures) from 2027;
# 3. parking at 4 EUR/h in the centre from 2027.

# %%
baseline_file = OUT / "baseline.yaml"
baseline_file.write_text("""\
name: my-helsinki-baseline
description: Helsinki, no new measure (short run for the notebook).
city: helsinki
years: {start: 2025, end: 2040, step: 5}
target: {year: 2030, reduction: 0.55}
""", encoding="utf-8")

package_file = OUT / "package.yaml"
package_file.write_text("""\
name: my-helsinki-package
description: Electric car sales, more frequent central PT and central parking prices.
city: helsinki
extends: baseline.yaml
measures:
  - type: ev_sales_share
    label: EV sales to 100 % by 2035
    start: 2025
    end: 2035
    profile: linear
    share: 1.0
  - type: pt_frequency
    label: Central PT +50 % departures
    start: 2027
    profile: step
    headway_factor: 0.67
    area: {zone: centre}
  - type: parking_price
    label: Central parking 4 EUR/h
    start: 2027
    profile: step
    eur_per_hour: 4.0
    area: {zone: centre}
""", encoding="utf-8")

# %% [markdown]
# ## 2. Check the files before running them
#
# `ms.load_scenario` reads the file, merges its parent, checks every key and value against the
# schema and against the city (zones exist, areas cover cells), and returns the resolved
# scenario. The command line does the same with `mobility-sim validate FILE...`.

# %%
loaded = ms.load_scenario(package_file)
print(loaded.scenario.name, "on", loaded.city.name, "-", len(loaded.scenario.measures),
      "measures, years", loaded.scenario.years.as_list())
for measure, mask in zip(loaded.scenario.measures, loaded.masks, strict=False):
    cells = "whole city" if mask is None else f"{int(mask.sum())} cells"
    print(f"  {measure.type:16s} from {measure.start}: {cells}")

# %% [markdown]
# ## 3. What a mistake looks like
#
# Here the profile is misspelt (`stepp`) and a key that does not exist (`colour`) was added.
# The simulator does not guess: it stops before running and lists every problem, one line
# each, with the file, the line, the place in the file and what is allowed. (On the command
# line the same lines are printed with `error:` in front and the exit code is 2.)

# %%
broken_file = OUT / "broken.yaml"
broken_file.write_text(package_file.read_text(encoding="utf-8")
                       .replace("profile: step\n    headway_factor",
                                "profile: stepp\n    colour: red\n    headway_factor"),
                       encoding="utf-8")
try:
    ms.load_scenario(broken_file)
except ScenarioError as error:
    for line in error.problems:
        print(line)
else:
    raise AssertionError("the broken scenario was accepted")

# %% [markdown]
# ## 4. Run both and compare
#
# `save=False` keeps the results in memory only. `build_comparison` makes one offline page
# with both trajectories, a KPI table, the modal split and maps of the difference (the first
# run is the reference): alone in a cell it shows itself, and `.write(path)` saves it.

# %%
baseline = ms.run(baseline_file, save=False)
package = ms.run(package_file, save=False)
cols = ["year", "co2_wtw_t", "fleet_bev_share", "car_vkm"]
table = baseline.summary[cols].merge(package.summary[cols], on="year",
                                     suffixes=("_base", "_pkg"))
table["co2_change_pct"] = 100 * (table["co2_wtw_t_pkg"] / table["co2_wtw_t_base"] - 1)
table.round(3)

# %%
share = package.mode_share().merge(baseline.mode_share(), on=["year", "mode_group"],
                                   suffixes=("_pkg", "_base"))
share["change_pp"] = 100 * (share["share_pkg"] - share["share_base"])
share.pivot(index="year", columns="mode_group", values="change_pp").round(2)

# %% [markdown]
# The package's trajectory against the baseline, with the target path:

# %%
package.plot.emissions(baseline=baseline)

# %%
comparison = build_comparison([baseline, package])
print("comparison page:", comparison.write(OUT / "comparison.html"))
display(comparison)

# %% [markdown]
# The same from the command line:
#
# ```sh
# .venv/bin/mobility-sim validate baseline.yaml package.yaml
# .venv/bin/mobility-sim run package.yaml --out output/package
# .venv/bin/mobility-sim compare baseline.yaml package.yaml --help   # see the options
# ```
