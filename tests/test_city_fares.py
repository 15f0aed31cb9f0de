"""A city's average fare per trip from its data sheet (issue 21 item 2: fares).

The model's ``pt.fare`` is the average fare paid per trip; the sheets hold ticket prices. The
rule (``city.build.sheet_fare``): revenue per trip where published, else the monthly pass over
``pt.trips_per_pass`` trips, never above the single fare; residents who ride free pay 0; a
single fare alone leaves the default.
"""

from __future__ import annotations

import pytest

from mobility_sim.city import load_city
from mobility_sim.city.build import sheet_fare
from mobility_sim.city.data_sheet import load_data_sheet
from mobility_sim.data import parameters
from mobility_sim.model.parameters import resolve_parameters


def fare(repo_root, slug):
    return sheet_fare(load_data_sheet(repo_root / "cities" / slug))


def test_a_monthly_pass_becomes_a_fare_per_trip(repo_root):
    helsinki = fare(repo_root, "helsinki")  # HSL: 66.6 EUR a month (2024)
    assert helsinki.value == pytest.approx(66.6 / parameters()["pt.trips_per_pass"], abs=1e-4)
    vienna = fare(repo_root, "vienna")  # Wiener Linien: 467 EUR a year
    assert vienna.value == pytest.approx(467 / 12 / 44, abs=1e-4) and "12 months" in vienna.source


def test_residents_who_ride_free_pay_nothing_but_free_students_do_not_count(repo_root):
    assert fare(repo_root, "tallinn").value == 0.0  # free for registered residents since 2013
    assert fare(repo_root, "luxembourg").value == 0.0  # free for everyone since 2020
    assert fare(repo_root, "lisbon").value == pytest.approx(30 / 44, abs=1e-4)  # only students


def test_revenue_per_boarding_is_not_a_fare_per_trip_and_a_single_fare_alone_is_not_used(
        repo_root):
    assert "pass" in fare(repo_root, "prague").source  # DPP's revenue is per boarding
    assert fare(repo_root, "bern") is None  # only the single ticket: the default applies


def test_the_city_fare_reaches_the_runs_parameters(repo_root):
    values = resolve_parameters(load_city(repo_root / "cities" / "helsinki"), calibration=False)
    assert values.origins["pt.fare"] == "city"
    assert values["pt.fare"] == pytest.approx(66.6 / 44, abs=1e-4)
