"""Every shipped city with a published split is calibrated, and its calibration reproduces it."""

from __future__ import annotations

from pathlib import Path

import pytest

from mobility_sim.calibration import calibrate, calibrated_parameters, calibration_status
from mobility_sim.calibration.outputs import survey_mode_shares
from mobility_sim.calibration.targets import read_split
from mobility_sim.city import load_city
from mobility_sim.model.base_year import BaselineModel
from mobility_sim.model.parameters import read_calibration

ROOT = Path(__file__).resolve().parents[1]


def _cities_with_split() -> list[str]:
    from mobility_sim.exceptions import CityDataError
    from mobility_sim.io.yamlio import read_yaml

    slugs = []
    for meta in sorted((ROOT / "cities").glob("*/city.yaml")):
        if read_yaml(meta, CityDataError).data.get("observed_modal_split"):
            slugs.append(meta.parent.name)
    return slugs


CITIES = _cities_with_split()


def test_at_least_twenty_shipped_cities_have_a_split():
    assert {"vienna", "helsinki", "berlin", "paris", "prague"} <= set(CITIES)
    assert len(CITIES) >= 20


@pytest.mark.parametrize("slug", CITIES)
def test_calibrated_baseline_reproduces_the_published_split(slug):
    city = load_city(slug)
    path = city.path / "calibration.yaml"
    assert path.is_file(), f"{slug} has a published split but no calibration.yaml: run " \
                           f"'mobility-sim calibrate {slug}'"
    stored = read_calibration(path)
    index = stored["targets"]["modal_split"]["index"]
    target = read_split(city.meta.observed_modal_split[index], slug, city.meta.area_note)
    model = BaselineModel.build(city, calibrated_parameters(city))
    shares = survey_mode_shares(model.run(), target.unit, target.purposes)
    for group, goal in zip(target.groups, target.shares, strict=True):
        modelled = sum(shares[m] for m in group)
        assert abs(modelled - goal) < 0.01, f"{slug} {group}: {modelled:.4f} vs {goal:.4f}"


@pytest.mark.parametrize("slug", CITIES)
def test_calibration_was_made_on_todays_inputs(slug):
    assert calibration_status(load_city(slug)) == "current", (
        f"cities/{slug}/calibration.yaml was made on other defaults or another grid: rerun "
        f"'mobility-sim calibrate {slug}'")


@pytest.mark.slow
@pytest.mark.parametrize("slug", CITIES)
def test_calibration_converges_from_the_defaults(slug):
    result = calibrate(slug, write=False)
    assert result.result.converged
    assert result.result.split.max_error_pp < 0.01
    stored = calibrated_parameters(slug)
    for key, value in result.result.parameters.items():
        assert value == pytest.approx(stored[key], abs=1e-3), key
