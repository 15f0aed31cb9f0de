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
# # 04 Calibration and model validation
#
# Out of the box the model's behavioural constants are *uncalibrated starting values*
# (`mobility_sim/data/parameters.csv`). Calibration fits the **alternative-specific constants**
# (one per segment, purpose and mode: how attractive a mode is beyond its time and cost) so
# that the baseline reproduces the city's published modal split. Time and cost coefficients
# are not fitted: they stay the documented defaults, which is why the second half of this
# notebook compares the model's implied elasticities with published ranges.
#
# We calibrate a **copy** of Helsinki in a temporary folder, so the shipped city is untouched.
# The published split is in the city's `city.yaml` (`observed_modal_split`), with the area
# and definition of the survey: it often covers the administrative city, not the grid.

# %%
import shutil
import tempfile
from pathlib import Path

import pandas as pd

import mobility_sim as ms
from mobility_sim.paths import repo_root
from mobility_sim.calibration.run import calibrate, fit_table
from mobility_sim.calibration.validation import validate_model

ROOT = repo_root()  # the checkout with scenarios/ and cities/
OUT = Path(tempfile.mkdtemp(prefix="mobility_sim_nb04_"))
city_folder = OUT / "helsinki"
shutil.copytree(ROOT / "cities" / "helsinki", city_folder)
(city_folder / "calibration.yaml").unlink(missing_ok=True)  # start from the defaults
city = ms.load_city(city_folder)
pd.DataFrame([{"year": s.year, "unit": s.unit, "purposes": s.purposes, "area": s.area,
               **s.shares, "source": s.source} for s in city.meta.observed_modal_split])

# %% [markdown]
# ## 1. Before calibration
#
# The modal split of the uncalibrated model in the first year (the grid's residents):

# %%
scenario = OUT / "baseline.yaml"
scenario.write_text(f"""\
name: helsinki-copy-baseline
city: {city_folder}
years: {{start: 2025, end: 2025, step: 1}}
""", encoding="utf-8")


def first_year_split() -> dict[str, float]:
    """Run the copy's first year and return its modal split (share of trips)."""
    share = ms.run(scenario, save=False).mode_share()
    return dict(zip(share["mode_group"], share["share"].round(3), strict=True))


before = first_year_split()
print("uncalibrated:", before)

# %% [markdown]
# ## 2. Calibrate
#
# `calibrate` fits the constants until every published share is matched within 0.01
# percentage points, then writes `calibration.yaml` into the city folder. Modes the survey does
# not publish (`null`) get a target from the remaining share (see the `group` column). The
# command line equivalent is `mobility-sim calibrate helsinki`.

# %%
calibration = calibrate(city_folder)
print("\n".join(fit_table(calibration)))
print("written:", calibration.path)
print("model runs:", calibration.content["fit"]["model_runs"])

# %% [markdown]
# The fitted constants, next to their starting values:

# %%
print("starting values:", calibration.content["starting_values"])
pd.Series(calibration.content["parameters"], name="fitted").sort_index().head(12).round(3)

# %% [markdown]
# Every later run of this city folder uses the calibration automatically (a scenario's own
# `parameters:` still override it):

# %%
after = first_year_split()
pd.DataFrame({"uncalibrated": before, "calibrated": after})

# %% [markdown]
# ## 3. Validate the model: implied elasticities
#
# A matching modal split says nothing about how the model *responds* to a measure. The
# responses come from the time and cost coefficients, which are not calibrated. So
# `validate_model` changes each lever by 1 % on the baseline and measures the arc elasticity
# (e.g. PT trips against the PT fare), then puts it beside the range published in the
# literature. `inside` says whether the model falls in the published span ("-" when only a
# point value is published).

# %%
validation = validate_model(city_folder)
print("calibration used:", validation.calibration)
cols = ["elasticity", "quantity", "model", "published_low", "published_high", "n_sources",
        "sign_ok", "inside"]
validation.elasticities[cols].round(3)

# %% [markdown]
# And the emergent mean trip lengths (km) by purpose and mode, which you can compare with a
# local travel survey:

# %%
lengths = validation.trip_lengths
lengths.pivot(index="mode", columns="purpose", values="mean_km").round(2)

# %% [markdown]
# The calibrated model's base-year split next to the published one. The survey covers the
# administrative city, the grid the GHS urban centre: hover a bar for each split's definition.

# %%
ms.run(scenario, save=False).plot.modal_split_vs_survey()

# %% [markdown]
# Read the elasticity table before trusting a scenario's behavioural effects. Where the model
# is outside the published range, the effect of the matching measure is too large or too small
# by roughly that ratio. `docs/elasticities.md` has the table for the shipped cities and
# `docs/calibration.md` explains the method.
