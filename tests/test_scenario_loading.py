"""Scenario files: schema errors as file:line: path: message, semantic checks, extends."""

from pathlib import Path
from textwrap import dedent

import numpy as np
import pytest

from mobility_sim.exceptions import ScenarioError
from mobility_sim.scenario import load_scenario
from mobility_sim.scenario.levers import intensity, year_levers
from mobility_sim.scenario.models import PtFrequency

GOOD = """\
name: test
city: synthetic
years: {start: 2025, end: 2030}
measures:
  - type: ev_sales_share
    start: 2025
    end: 2030
    share: 0.8
  - type: pt_frequency
    start: 2026
    profile: step
    headway_factor: 0.5
    area: {zone: centre}
target: {year: 2030, reduction: 0.55}
"""


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(dedent(text), encoding="utf-8")
    return path


def problems(tmp_path, text, city, name="s.yaml"):
    with pytest.raises(ScenarioError) as err:
        load_scenario(write(tmp_path, text, name), city=city)
    return err.value.problems


def test_valid_scenario_loads_with_masks_and_hash(tmp_path, small_city):
    loaded = load_scenario(write(tmp_path, GOOD), city=small_city)
    assert len(loaded.scenario.measures) == 2
    assert loaded.masks[1].any() and not loaded.masks[1].all()
    assert len(loaded.content_hash) == 64
    assert "pt_frequency" in loaded.resolved_yaml()


def test_misspelt_key_gets_line_and_suggestion(tmp_path, small_city):
    text = GOOD.replace("headway_factor: 0.5", "headway_facter: 0.5")
    lines = problems(tmp_path, text, small_city)
    joined = "\n".join(lines)
    assert f"{tmp_path / 's.yaml'}:12: measures.1.headway_facter: unknown key" in joined
    assert "did you mean 'headway_factor'" in joined


def test_misspelt_measure_type_and_profile_are_all_reported(tmp_path, small_city):
    text = GOOD.replace("type: pt_frequency", "type: pt_frequncy").replace(
        "end: 2030\n    share", "end: 2030\n    profile: linaer\n    share")
    lines = problems(tmp_path, text, small_city)
    assert len(lines) == 2
    assert any("did you mean 'pt_frequency'" in line and ":10:" in line for line in lines)
    assert any("did you mean 'linear'" in line and "measures.0.profile" in line for line in lines)


def test_out_of_range_share_names_the_value(tmp_path, small_city):
    lines = problems(tmp_path, GOOD.replace("share: 0.8", "share: 1.8"), small_city)
    assert len(lines) == 1 and ":8: measures.0.share:" in lines[0] and "1.8" in lines[0]


def test_semantic_checks_years_zone_and_overlap(tmp_path, small_city):
    text = GOOD.replace("start: 2026", "start: 2040").replace("zone: centre", "zone: centr")
    text += dedent("""\
        parameters: {utility.asc.bik: 0.1}
    """)
    text = text.replace("target: {year: 2030, reduction: 0.55}\n",
                        "target: {year: 2035, reduction: 0.55}\n")
    joined = "\n".join(problems(tmp_path, text, small_city))
    assert "after the last simulated year 2030" in joined
    assert "did you mean 'centre'" in joined
    assert "did you mean 'utility.asc.bike'" in joined
    assert "target year 2035 is outside" in joined


def test_overlapping_measures_of_one_kind_are_rejected(tmp_path, small_city):
    text = GOOD.replace("target:", dedent("""\
          - type: pt_frequency
            start: 2027
            headway_factor: 0.8
        target:"""))
    joined = "\n".join(problems(tmp_path, text, small_city))
    assert "measures.2: overlaps measures.1" in joined


def test_extends_adds_measures_and_reports_parent_lines(tmp_path, small_city):
    write(tmp_path, GOOD, "parent.yaml")
    child = write(tmp_path, """\
        name: child
        extends: parent.yaml
        measures:
          - type: pt_frequency
            start: 2028
            headway_factor: 0.9
            area: {wkt: "POLYGON ((0 0, 1 0, 1 1, 0 0))"}
    """, "child.yaml")
    with pytest.raises(ScenarioError) as err:
        load_scenario(child, city=small_city)
    assert f"{child}:7: measures.2.area: the area covers no cell" in str(err.value)


def test_extends_chains_are_refused(tmp_path, small_city):
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, "name: b\nextends: a.yaml\n", "b.yaml")
    c = write(tmp_path, "name: c\nextends: b.yaml\n", "c.yaml")
    with pytest.raises(ScenarioError, match="chains are not allowed"):
        load_scenario(c, city=small_city)


def test_yaml_syntax_error_and_python_tags_are_clear(tmp_path, small_city):
    lines = problems(tmp_path, "name: [unclosed\n", small_city)
    assert "invalid YAML" in lines[0] and "s.yaml:" in lines[0]
    lines = problems(tmp_path, GOOD.replace("name: test", "name: !!python/object:os.system x"),
                     small_city)
    assert lines and "s.yaml" in lines[0]


@pytest.mark.parametrize(("profile", "expected"), [
    ("step", [0.0, 1.0, 1.0, 1.0, 1.0]),
    ("linear", [0.0, 0.0, 0.5, 1.0, 1.0]),
    ("s-curve", [0.0, 0.0, 0.5, 1.0, 1.0]),
])
def test_profiles(profile, expected):
    m = PtFrequency(type="pt_frequency", start=2026, end=2028, profile=profile, headway_factor=0.5)
    assert [intensity(m, y) for y in range(2025, 2030)] == pytest.approx(expected)
    if profile == "s-curve":
        half = PtFrequency(type="pt_frequency", start=2026, end=2030, profile=profile,
                           headway_factor=0.5)
        assert intensity(half, 2027) < 0.25  # slow start


def test_headway_lever_applies_only_inside_the_area():
    m = PtFrequency(type="pt_frequency", start=2026, profile="step", headway_factor=0.5)
    mask = np.array([True, False, True])
    lv = year_levers([m], [mask], 2027, 3, baseline_bev_sales=0.2)
    np.testing.assert_allclose(lv.headway_factor, [0.5, 1.0, 0.5])
    assert lv.bev_sales_share == 0.2


# --- every measure type, hardening, semantic layer -------------------------------------------

BASE = """\
name: t
city: synthetic
years: {start: 2025, end: 2035}
measures:
"""


def test_city_wide_measures_reject_an_area_and_zones_require_one(tmp_path, small_city):
    text = BASE + dedent("""\
          - type: telework
            start: 2026
            share: 0.1
            area: {zone: centre}
          - type: cordon_charge
            start: 2026
            eur_per_trip: 3
          - type: low_emission_zone
            start: 2026
            compliance: 0.9
            rule: charge
    """)
    lines = problems(tmp_path, text, small_city)
    assert len(lines) == 3
    assert ":8: measures.0.area: a telework measure takes no 'area'" in lines[0]
    assert "remove 'area'" in lines[0]
    assert ":9: measures.1: a cordon_charge measure needs an 'area'" in lines[1]
    assert ":12: measures.2: a low_emission_zone measure needs an 'area'" in lines[2]
    assert "; rule 'charge' needs charge_eur_per_trip" in lines[2]


def test_missing_value_names_its_unit_and_quoted_numbers_are_explained(tmp_path, small_city):
    text = BASE + dedent("""\
          - type: parking_price
            start: "2026"
    """)
    lines = problems(tmp_path, text, small_city)
    joined = "\n".join(lines)
    assert "measures.0.eur_per_hour: missing required key 'eur_per_hour'" in joined
    assert "EUR/h" in joined
    assert ":6: measures.0.start:" in joined and "without quotes" in joined


def test_one_of_several_targets_is_required(tmp_path, small_city):
    text = BASE + dedent("""\
          - type: pt_fare
            start: 2026
          - type: grid_decarbonisation
            start: 2026
            reduction: 0.5
            gco2e_per_kwh: 20
    """)
    lines = problems(tmp_path, text, small_city)
    assert len(lines) == 2
    assert "measures.0: give exactly one of fare_eur" in lines[0]
    assert "measures.1: give exactly one of gco2e_per_kwh" in lines[1]


def test_yaml_tags_alias_bombs_and_recursion_are_refused(tmp_path, small_city):
    tag = "name: !!python/object/apply:os.system ['touch pwned']\ncity: synthetic\n"
    lines = problems(tmp_path, tag, small_city)
    assert len(lines) == 1 and ":1: name: YAML tag '!!python/object/apply:os.system'" in lines[0]
    assert not (tmp_path / "pwned").exists()
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n"
        for p, c in zip("abcdef", "bcdefg", strict=True))
    lines = problems(tmp_path, bomb, small_city)
    assert len(lines) == 1 and "expand to more than" in lines[0]
    lines = problems(tmp_path, "name: t\nlist: &x [1, *x]\n", small_city)
    assert len(lines) == 1 and ":2: list.1: a recursive alias" in lines[0]


def test_years_outside_the_horizon_are_reported(tmp_path, small_city):
    text = BASE + dedent("""\
          - type: telework
            start: 2020
            share: 0.1
          - type: pt_fare
            start: 2030
            end: 2040
            factor: 0.5
    """)
    joined = "\n".join(problems(tmp_path, text, small_city))
    assert ":6: measures.0.start: starts in 2020, before the first simulated year 2025" in joined
    assert ":10: measures.1.end: reaches full effect in 2040, after the last" in joined


def test_parameter_values_are_checked(tmp_path, small_city):
    text = BASE.replace("measures:\n", "parameters: {car.occupancy: 0, ebike.availability: 2, "
                                       "pt.fare: 1.2}\n")
    lines = problems(tmp_path, text, small_city)
    assert len(lines) == 2
    assert "car.occupancy is in persons/vehicle and must be positive" in lines[0]
    assert "ebike.availability is a share and must lie in [0, 1]" in lines[1]


def test_car_occupancy_below_one_is_refused_not_clamped(tmp_path, small_city):
    text = BASE.replace("measures:\n", "parameters: {car.occupancy: 0.8}\n")
    lines = problems(tmp_path, text, small_city)
    assert len(lines) == 1
    assert "car.occupancy is in persons/vehicle and must be at least 1, the driver" in lines[0]


def test_pt_line_must_touch_the_grid_and_be_a_line(tmp_path, small_city):
    text = BASE + dedent("""\
          - type: pt_line
            label: far
            start: 2026
            line: {wkt: "LINESTRING (0 0, 1000 0)"}
            stop_spacing_m: 500
            headway_min: 5
            speed_kmh: 25
          - type: pt_line
            label: polygon
            start: 2026
            line: {wkt: "POLYGON ((0 0, 1 0, 1 1, 0 0))"}
            stop_spacing_m: 500
            headway_min: 5
            speed_kmh: 25
    """)
    lines = problems(tmp_path, text, small_city)
    assert len(lines) == 2
    assert ":8: measures.0.line: the line passes within 600 m of no cell centre" in lines[0]
    assert ":15: measures.1.line: the WKT is a Polygon, expected LineString" in lines[1]
    lines = problems(tmp_path, text.replace("speed_kmh: 25\n", "speed_kmh: 25\n"
                                            "  area: {zone: centre}\n"), small_city)
    assert any("measures.0.area: a pt_line measure takes no 'area'" in x for x in lines), lines


def test_pt_line_from_geojson_is_resolved_to_wkt_with_its_catchment(tmp_path, small_city):
    import geopandas as gpd
    import shapely

    x, y = small_city.grid["x"], small_city.grid["y"]
    line = shapely.LineString([(x.min(), y.mean()), (x.max(), y.mean())])
    gpd.GeoDataFrame(geometry=[line], crs="EPSG:3035").to_crs("EPSG:4326").to_file(
        tmp_path / "line.geojson", driver="GeoJSON")
    text = BASE + dedent("""\
          - type: pt_line
            start: 2026
            line: {geojson: line.geojson}
            stop_spacing_m: 500
            headway_min: 5
            speed_kmh: 25
    """)
    loaded = load_scenario(write(tmp_path, text), city=small_city)
    measure = loaded.scenario.measures[0]
    assert measure.line.geojson is None and measure.line.wkt.startswith("LINESTRING")
    assert measure.catchment_m == 600.0
    assert loaded.masks[0].any() and not loaded.masks[0].all()
    assert "catchment_m: 600.0" in loaded.resolved_yaml()


def test_geojson_area_in_wgs84_selects_cells(tmp_path, small_city):
    import geopandas as gpd
    import shapely

    x, y = small_city.grid["x"], small_city.grid["y"]
    box = shapely.box(x.min() - 1, y.min() - 1, x.mean(), y.mean())
    gpd.GeoDataFrame(geometry=[box], crs="EPSG:3035").to_crs("EPSG:4326").to_file(
        tmp_path / "zone.geojson", driver="GeoJSON")
    text = BASE + dedent("""\
          - type: parking_price
            start: 2026
            eur_per_hour: 4
            area: {geojson: zone.geojson}
    """)
    loaded = load_scenario(write(tmp_path, text), city=small_city)
    expected = (x <= x.mean()) & (y <= y.mean())
    assert np.array_equal(loaded.masks[0], expected.to_numpy())


def test_second_cordon_and_duplicate_labels_are_refused(tmp_path, small_city):
    text = BASE + dedent("""\
          - type: cordon_charge
            label: cordon
            start: 2026
            eur_per_trip: 3
            area: {zone: centre}
          - type: cordon_charge
            label: cordon
            start: 2027
            eur_per_trip: 3
            area: {wkt: "POLYGON ((4300000 2900000, 4301500 2900000, 4301500 2901500,
                                   4300000 2900000))"}
    """)
    joined = "\n".join(problems(tmp_path, text, small_city))
    assert "measures.1: a second cordon_charge measure" in joined
    assert "measures.1.label: label 'cordon' is already used by measures.0" in joined


def test_repeated_unlabelled_measures_get_numbered_labels(tmp_path, small_city):
    text = BASE + dedent("""\
          - type: parking_price
            start: 2026
            eur_per_hour: 4
            area: {zone: centre}
          - type: parking_price
            start: 2026
            eur_per_hour: 1
            area: {wkt: "POLYGON ((4300000 2900000, 4301500 2900000, 4301500 2901500,
                                   4300000 2900000))"}
    """)
    loaded = load_scenario(write(tmp_path, text), city=small_city)
    assert [m.display_label for m in loaded.scenario.measures] == [
        "parking_price 1", "parking_price 2"]


def test_low_emission_zone_records_its_share_of_cars_entering(tmp_path, small_city):
    text = BASE + dedent("""\
          - type: low_emission_zone
            start: 2030
            compliance: 0.8
            min_euro: {petrol: 4, diesel: 6}
            area: {zone: centre}
    """)
    loaded = load_scenario(write(tmp_path, text), city=small_city)
    share = loaded.scenario.measures[0].cars_entering_share
    jobs = small_city.grid["jobs"].to_numpy()
    assert share == pytest.approx(jobs[loaded.masks[0]].sum() / jobs.sum(), abs=1e-4)
    lv = loaded.year_levers(2030, 0.2)
    assert lv.lez_min_euro == {"petrol": 4, "diesel": 6}
    assert lv.lez_affected_share == pytest.approx(share) and lv.lez_compliance == 0.8
    assert loaded.year_levers(2029, 0.2).lez_min_euro is None


def test_validate_command_exits_2_with_one_line_per_problem(tmp_path, repo_root):
    import subprocess
    import sys

    bad = {
        "typo.yaml": "name: t\ncity: helsinki\nyears: {start: 2025, end: 2030}\nmeasurs: []\n",
        "tag.yaml": "name: !!python/name:os.system x\ncity: helsinki\n",
        "list.yaml": "- 1\n- 2\n",
        "syntax.yaml": "name: [t\n",
        "zone.yaml": "name: t\ncity: helsinki\nyears: {start: 2025, end: 2030}\nmeasures:\n"
                     "  - {type: parking_price, start: 2026, eur_per_hour: 3,\n"
                     "     area: {zone: centr}}\n",
        "city.yaml": "name: t\ncity: atlantis\nyears: {start: 2025, end: 2030}\n",
    }
    for name, text in bad.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    good = repo_root / "scenarios" / "helsinki" / "baseline.yaml"
    proc = subprocess.run([sys.executable, "-m", "mobility_sim", "validate", str(good),
                           *(str(tmp_path / n) for n in bad)],
                          capture_output=True, text=True, cwd=repo_root, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and f"ok: {good}" in proc.stdout
    lines = proc.stderr.strip().splitlines()
    for name in bad:
        assert any(f"{tmp_path / name}:" in line for line in lines), name
    for line in lines:
        assert line.startswith(f"error: {tmp_path}/"), line
        _, number, place = line.removeprefix("error: ").split(":", 3)[:3]
        assert number.isdigit() and place.strip(), line
    assert "did you mean 'measures'" in proc.stderr and "did you mean 'centre'" in proc.stderr
