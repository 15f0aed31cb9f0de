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
