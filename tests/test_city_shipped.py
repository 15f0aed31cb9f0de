"""Every shipped city in cities/: loads, conserves its raster's population, carries provenance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rasterio

from mobility_sim.city import load_city
from mobility_sim.city.build import build_catalogue_city, catalogue
from mobility_sim.data import grid_intensity
from mobility_sim.paths import ghs_rasters_dir

REPO = Path(__file__).resolve().parents[1]
CITIES = REPO / "cities"
RASTERS = ghs_rasters_dir()
SHIPPED = sorted(p.name for p in CITIES.iterdir() if (p / "city.yaml").is_file())
REQUIRED = ["helsinki", "vienna", "amsterdam", "copenhagen", "lisbon", "warsaw", "prague",
            "madrid"]


def test_at_least_twelve_cities_including_the_required_ones():
    assert len(SHIPPED) >= 12
    assert set(REQUIRED) <= set(SHIPPED)
    assert set(SHIPPED) <= set(catalogue()["slug"])


@pytest.mark.parametrize("slug", SHIPPED)
def test_shipped_city_conserves_raster_population(slug):
    row = catalogue().set_index("slug").loc[slug]
    with rasterio.open(RASTERS / row["raster_file"]) as src:
        raster_total = float(src.read(1, masked=True).sum())
    city = load_city(CITIES / slug)
    assert abs(city.population - raster_total) <= 0.005 * raster_total
    g = city.grid
    assert np.allclose((g["x"] - 500) % 1000, 0) and np.allclose((g["y"] - 500) % 1000, 0)
    assert (g["population"] > 0).all()
    assert city.zone_mask("centre").sum() >= 1


@pytest.mark.parametrize("slug", SHIPPED)
def test_shipped_city_metadata(slug):
    row = catalogue().set_index("slug").loc[slug]
    meta = load_city(CITIES / slug).meta
    assert meta.country == row["iso3"]
    grid_intensity(meta.grid_intensity_country or meta.country)  # known country
    assert meta.car_ownership is not None and meta.car_ownership.source
    assert meta.layers["jobs"].status == "proxy" and "PROXY" in meta.layers["jobs"].method
    assert meta.layers["population"].status == "real"
    assert any(s.licence == "CC BY 4.0" and "Schiavina" in s.citation for s in meta.sources)
    assert "NOT the administrative city" in meta.area_note
    for split in meta.observed_modal_split:
        assert split.source and split.area and split.population and split.purposes
        published = [v for v in split.shares.values() if v is not None]
        # published rounding may reach 102 % (ModalSplit's rule; calibration divides by it)
        assert published and all(0 <= v <= 1 for v in published) and sum(published) <= 1.02
    assert (CITIES / slug / "grid.parquet").stat().st_size < 300_000


def test_published_modal_splits_shipped():
    splits = {slug: load_city(CITIES / slug).meta.observed_modal_split for slug in
              ("helsinki", "vienna", "amsterdam", "copenhagen", "lisbon")}
    hel = splits["helsinki"][0]
    assert (hel.year, hel.shares["walk"], hel.shares["pt"], hel.shares["car"],
            hel.shares["bike"]) == (2014, 0.34, 0.32, 0.22, None)
    vie = splits["vienna"][0]
    assert sum(vie.shares[m] for m in ("walk", "bike", "pt", "car")) == pytest.approx(1.0)
    assert splits["copenhagen"][0].purposes == "work and education"
    assert "metropolitan" in splits["lisbon"][0].area


@pytest.mark.parametrize("slug", ["helsinki", "luxembourg", "madrid"])
def test_shipped_city_is_current(slug):
    """The shipped folder equals a fresh build (rebuild with cities/README.md if this fails)."""
    fresh = build_catalogue_city(slug, RASTERS)
    shipped = load_city(CITIES / slug)
    assert fresh.meta == shipped.meta
    cols = ["cell_id", "x", "y", "population", "jobs", "cell_code"]
    pd.testing.assert_frame_equal(fresh.grid[cols].reset_index(drop=True),
                                  shipped.grid[cols].reset_index(drop=True))


def test_city_tables_carry_sources():
    from mobility_sim.data import read_table

    params = read_table("city_build_parameters.csv")
    assert params["key"].is_unique
    assert params["source"].map(lambda s: isinstance(s, str) and len(s) > 8).all()
    table = catalogue()
    assert (table["car_ownership_source"].str.len() > 20).all()
    eu_default = table["cars_per_1000"].astype(float) == 569
    assert table.loc[eu_default, "car_ownership_source"].str.contains("not this city").all()
    splits = read_table("city_modal_splits.csv")
    assert splits[["year", "unit", "population", "purposes", "area", "source"]].notna().all().all()
    assert set(splits["slug"]) <= set(table["slug"])


def test_the_data_sheet_sets_ownership_centre_and_splits():
    """Berlin's sheet: 329 cars per 1,000 (Destatis), the Rotes Rathaus, two surveys."""
    from mobility_sim.city.data_sheet import load_data_sheet

    sheet = load_data_sheet(CITIES / "berlin")
    with_sheet = build_catalogue_city("berlin", RASTERS, sheet=sheet)
    without = build_catalogue_city("berlin", RASTERS, sheet=None)
    assert with_sheet.meta.car_ownership.cars_per_1000 == 329.0
    assert "data sheet" in with_sheet.meta.car_ownership.source
    assert with_sheet.meta.layers["car_ownership"].status == "proxy"
    assert without.meta.car_ownership.cars_per_1000 == 569.0  # the EU average, labelled
    assert without.meta.layers["car_ownership"].status == "default"
    assert "Rotes Rathaus" in with_sheet.meta.notes[0]
    assert "density centre" in without.meta.notes[0]
    assert with_sheet.meta.zones["centre"] != without.meta.zones["centre"]
    years = {(s.year, s.unit) for s in with_sheet.meta.observed_modal_split}
    assert {(2018, "trips"), (2013, "trips")} <= years and not without.meta.observed_modal_split


def test_the_data_sheet_sets_city_parameters_with_their_source(tmp_path):
    """Vienna: 2.6 EUR/h in the centre; bus 40, tram 23, metro 15 million vehicle-km (2021)."""
    import shutil

    from mobility_sim.exceptions import CityDataError
    from mobility_sim.model.parameters import resolve_parameters

    vienna = load_city(CITIES / "vienna")
    params = vienna.meta.parameters
    assert params["parking.max_eur_per_h"].value == 2.6
    assert params["pt_supply.share_tram"].value == pytest.approx(23 / 78, abs=1e-4)
    assert params["pt_supply.share_metro"].value == pytest.approx(15 / 78, abs=1e-4)
    assert vienna.meta.layers["parking_eur_per_hour"].status == "proxy"
    values = resolve_parameters(vienna, calibration=False)
    assert values["parking.max_eur_per_h"] == 2.6
    assert values.origins["parking.max_eur_per_h"] == "city"
    oslo = load_city(CITIES / "oslo").meta.parameters["parking.max_eur_per_h"]
    assert oslo.value == pytest.approx(56.0 / 11.629, abs=1e-4) and "NOK" in oslo.source
    folder = tmp_path / "vienna"
    shutil.copytree(CITIES / "vienna", folder)
    text = (folder / "city.yaml").read_text(encoding="utf-8")
    (folder / "city.yaml").write_text(text.replace("  parking.max_eur_per_h:",
                                                   "  parking.max_eur_per_hr:"), "utf-8")
    with pytest.raises(CityDataError, match=r"unknown parameter\(s\) parking.max_eur_per_hr"):
        load_city(folder)


def test_a_published_projection_grows_residents_jobs_and_cars():
    """London: 8.8 million (2021) to 10.4 million (2041), TfL / GLA via the data sheet."""
    from mobility_sim.model.parameters import resolve_parameters
    from mobility_sim.model.years import population_factors, setup_run, year_inputs

    london = load_city(CITIES / "london")
    growth = london.meta.population_growth
    assert growth.until_year == 2041
    assert growth.rate_per_year == pytest.approx((10.4 / 8.8) ** (1 / 20) - 1, abs=1e-6)
    factors = population_factors(london, list(range(2025, 2051)))
    assert factors[2025] == 1.0 and factors[2050] == factors[2041] > 1.1
    setup = setup_run(london, resolve_parameters(london), (), (), [2025, 2050])
    first, last = year_inputs(setup, 2025)[0], year_inputs(setup, 2050)[0]
    assert last.population.sum() == pytest.approx(first.population.sum() * factors[2050])
    cars = {y: setup.fleet[y].car.total for y in (2025, 2050)}
    assert cars[2050] / cars[2025] == pytest.approx(factors[2050] / factors[2025], rel=1e-9)
    assert population_factors(load_city(CITIES / "york"), [2025, 2050]) == {2025: 1.0, 2050: 1.0}
    from mobility_sim.report import build_dashboard
    from mobility_sim.simulate import run

    page = build_dashboard(run(REPO / "scenarios" / "york" / "baseline.yaml", save=False)).render()
    assert "held constant: no published projection" in page
