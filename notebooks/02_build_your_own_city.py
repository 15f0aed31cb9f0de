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
# # 02 Build your own city from a population raster
#
# The simulator works on a grid of 1 km cells, each with its residents and jobs. The shipped
# cities (`cities/<slug>/`) were built from the **GHS-POP 2020** population grid (European
# Commission JRC, CC BY 4.0). You can build any other city the same way from a population
# raster (GeoTIFF, any CRS) or a vector grid (GeoPackage / GeoParquet).
#
# Here we build **Graz** from its GHS-POP urban-centre raster into a temporary folder, look at
# what was built, and run a baseline (no new measure) on it.
#
# Things to keep in mind:
#
# * an *urban centre* is the contiguous 1 km cells with at least 1,500 residents per km2, which
#   is not the administrative city;
# * job locations are a **proxy** (residents weighted by centrality), labelled as such in
#   `city.yaml` and on every dashboard, unless you give real employment data;
# * public transport stops, headways, cycle lanes and parking prices are density-scaled model
#   defaults unless you give an OpenStreetMap extract (`osm_pbf=`) or a GTFS feed (`gtfs=`).

# %%
import tempfile
from pathlib import Path

from IPython.display import display

import mobility_sim as ms
from mobility_sim.paths import ghs_rasters_dir, repo_root
from mobility_sim.city.build import build_city, write_city
from mobility_sim.city.model import DataSource

ROOT = repo_root()  # the checkout with scenarios/ and cities/
RASTERS = ghs_rasters_dir()  # source_data/ in the repository: 29 GHS-POP 2020 urban centres
OUT = Path(tempfile.mkdtemp(prefix="mobility_sim_nb02_"))
raster = RASTERS / "3000_Graz.tif"
print("raster:", raster)
print("outputs go to:", OUT)

# %% [markdown]
# ## 1. Build the grid
#
# `build_city` resamples the raster onto the 1 km cells of the EEA / INSPIRE reference grid
# (EPSG:3035), conserving the total population, places the jobs proxy and a `centre` zone,
# and records the data sources. Always give the source and licence of your population data:
# they end up on every dashboard.

# %%
source = DataSource(
    name="GHS-POP R2022A, epoch 2020, 1 km, urban-centre clip",
    licence="CC BY 4.0",
    citation="Schiavina M., Freire S., Carioli A., MacManus K. (2022): GHS-POP R2022A. "
             "European Commission, Joint Research Centre (JRC)",
    url="https://ghsl.jrc.ec.europa.eu/",
)
city = build_city(raster, slug="my_graz", name="Graz (my build)", country="AUT",
                  population_source=source,
                  area_note="GHS urban centre of Graz, not the administrative city")
display(city)  # a city shows its size, its area and where each input comes from
city.grid[["cell_id", "x", "y", "population", "jobs"]].head().round(1)

# %% [markdown]
# What each layer is, and how it was made, is recorded with the city. The jobs are a proxy:

# %%
for name, layer in city.meta.layers.items():
    print(f"{name:22s} {layer.status:8s} {layer.method[:90]}")

# %% [markdown]
# ## 2. Write it and load it back
#
# `write_city` writes `grid.parquet` (GeoParquet) and `city.yaml` into a folder. Any folder
# works: a scenario names the city by slug (searched in `cities/`) or by path.

# %%
folder = write_city(city, OUT / "my_graz")
print(sorted(p.name for p in folder.iterdir()))
loaded_city = ms.load_city(folder)
print("loaded:", loaded_city.name, loaded_city.n_cells, "cells; zones:",
      list(loaded_city.meta.zones))

# %% [markdown]
# ## 3. Run a baseline on the new city
#
# A baseline is a scenario without measures. Here it runs 2025 to 2035 every 5 years to keep
# the notebook quick; for real work use `step: 1` to 2050. The `city:` key holds the path of
# the folder we just wrote.

# %%
scenario = OUT / "my_graz_baseline.yaml"
scenario.write_text(f"""\
name: my-graz-baseline
description: Graz built from GHS-POP, no new measure.
city: {folder}
years: {{start: 2025, end: 2035, step: 5}}
target: {{year: 2035, reduction: 0.55}}
""", encoding="utf-8")
results = ms.run(scenario, out=OUT / "run")
cols = ["year", "population", "trips", "car_vkm", "co2_wtw_t", "co2_wtw_per_capita_kg"]
display(results.summary[cols].round(1))
share = results.mode_share()
share.pivot(index="year", columns="mode_group", values="share").round(3)

# %% [markdown]
# Where the residents' trips emit most: CO2 per resident by home cell in the base year.
# Default inputs (headways, parking, cycle lanes) scale with density, so read the map as the
# model's first guess until you give the city's own layers.

# %%
results.plot.co2_map(2025)

# %% [markdown]
# Compare with the shipped Graz grid (built by the same method from the same raster): the
# population totals should agree.

# %%
shipped = ms.load_city("graz")
print(f"my build: {city.population:,.0f} residents in {city.n_cells} cells")
print(f"shipped:  {shipped.population:,.0f} residents in {shipped.n_cells} cells")
print("dashboard:", Path(results.meta["output_folder"]) / "dashboard.html")

# %% [markdown]
# The same build from the command line (it writes `cities/<slug>/` unless you give `--out`):
#
# ```sh
# .venv/bin/mobility-sim city build \
#     source_data/ghs_pop_2020_1km_urban_centres/3000_Graz.tif \
#     --slug my_graz --name "Graz (my build)" --country AUT \
#     --source-name "GHS-POP R2022A 2020 1 km" --licence "CC BY 4.0" \
#     --citation "Schiavina et al. (2022), GHS-POP R2022A, European Commission JRC" \
#     --out /tmp/my_graz
# ```
