"""Reading a city's data sheet: strict (file:line errors), honest about coverage, and a blank
sheet for every new city."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from mobility_sim.city import load_city
from mobility_sim.city.build import write_city
from mobility_sim.city.cli import city_app
from mobility_sim.city.data_sheet import FIELDS, blank_data_sheet, load_data_sheet
from mobility_sim.city.synthetic import synthetic_city
from mobility_sim.exceptions import CityDataError

CITIES = Path(__file__).resolve().parents[1] / "cities"
SHIPPED = sorted(p.name for p in CITIES.iterdir() if (p / "city.yaml").is_file())


@pytest.mark.parametrize("slug", SHIPPED)
def test_every_shipped_sheet_reads_strictly(slug):
    sheet = load_data_sheet(CITIES / slug)
    assert sheet is not None and sheet.city == slug
    rows = sheet.coverage()
    assert [r[0] for r in rows] == list(FIELDS)
    # population, area and the centre were found for every shipped city
    assert {"population", "area_km2", "centre"} <= {r[0] for r in rows if r[1] != "not found"}


def test_coverage_reports_not_found_derived_and_the_newest_entry():
    sheet = load_data_sheet(CITIES / "berlin")
    status = {name: (st, detail) for name, st, detail in sheet.coverage()}
    assert status["trip_rate"][0] == "not found"
    assert status["population"][0] == "derived"
    assert status["cars_per_1000"][1].startswith(str(sheet.latest("cars_per_1000").year))
    assert 0 < sheet.sourced_share < 1


def test_a_broken_sheet_is_refused_with_file_and_line(tmp_path):
    folder = tmp_path / "city"
    folder.mkdir()
    text = (CITIES / "vienna" / "data_sheet.yaml").read_text(encoding="utf-8")
    broken = text.replace("format_version: 1", "format_version: 1\ncolour: red", 1)
    (folder / "data_sheet.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(CityDataError, match=r"data_sheet\.yaml:\d+: colour: unknown key"):
        load_data_sheet(folder)


def test_a_line_wrapped_value_that_makes_a_new_key_is_refused(tmp_path):
    """The YAML mistake found in two researched sheets: 'scope: X (a\\n  b):' adds a key."""
    folder = tmp_path / "city"
    folder.mkdir()
    text = (CITIES / "vienna" / "data_sheet.yaml").read_text(encoding="utf-8")
    sheet = YAML(typ="safe").load(text)
    assert sheet["fields"]["area_km2"]["scope"]
    broken = text.replace("  area_km2:\n", "  area_km2:\n    zones 1-99): x\n", 1)
    (folder / "data_sheet.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(CityDataError, match="zones 1-99"):
        load_data_sheet(folder)


def test_a_new_city_gets_a_blank_sheet_and_a_rebuild_keeps_a_researched_one(tmp_path):
    city = synthetic_city(16, seed=2)
    folder = write_city(city, tmp_path / "new")
    sheet = load_data_sheet(folder)
    assert sheet is not None and sheet.sourced_share == 0.0
    assert "not yet researched" in (folder / "data_sheet.yaml").read_text(encoding="utf-8")
    shutil.copy(CITIES / "vienna" / "data_sheet.yaml", folder / "data_sheet.yaml")
    write_city(city, folder)  # rebuilt: the researched sheet stays
    assert load_data_sheet(folder).city == "vienna"


def test_blank_sheet_names_every_field_with_its_meaning():
    text = blank_data_sheet("my_city", "My 'City'")
    for field in FIELDS:
        assert f"  {field}:  # " in text


def test_city_info_and_the_notebook_view_show_the_coverage():
    result = CliRunner().invoke(city_app, ["info", "berlin"])
    assert result.exit_code == 0, result.output
    assert "data sheet: 15 of 17 fields sourced" in result.output
    assert "trip_rate: not found" in result.output
    assert "fields sourced (data_sheet.yaml)" in load_city("berlin")._repr_html_()


def test_a_projection_grows_from_its_own_base_not_from_another_areas_population(tmp_path):
    """A regional projection with its own base year: the rate never divides region by city."""
    from mobility_sim.city.build import sheet_population_growth

    folder = tmp_path / "city"
    folder.mkdir()
    text = (CITIES / "vienna" / "data_sheet.yaml").read_text(encoding="utf-8")
    (folder / "data_sheet.yaml").write_text(text, encoding="utf-8")
    yaml = YAML()
    data = yaml.load(folder / "data_sheet.yaml")
    data["fields"]["population_projection"] = [{
        "value": 2_420_000, "unit": "inhabitants", "year": 2050, "published": 2023,
        "base_value": 2_200_000, "base_year": 2022, "definition": "main variant (test)",
        "scope": "a region around the city (test)", "source": "test"}]
    yaml.dump(data, folder / "data_sheet.yaml")
    growth = sheet_population_growth(load_data_sheet(folder))
    assert growth.until_year == 2050
    assert growth.rate_per_year == pytest.approx((2.42 / 2.2) ** (1 / 28) - 1, abs=1e-6)
    assert "the projection's base" in growth.source
    data["fields"]["population_projection"][0]["base_value"] = -1
    yaml.dump(data, folder / "data_sheet.yaml")
    with pytest.raises(CityDataError, match=r"data_sheet\.yaml:\d+: .*base_value"):
        load_data_sheet(folder)
