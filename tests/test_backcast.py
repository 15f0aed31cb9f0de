"""Backcasts: measures cities took, run in the model against their evaluations (issue 22 item 8).

Every case of ``mobility_sim/data/backcast_cases.csv`` the model can represent runs here; none
is dropped for being outside its band. The test fails when a case stops running, when the
model's response has the wrong direction, or when ``docs/backcast.md`` no longer shows today's
model.
"""

from __future__ import annotations

import math

import pytest

from mobility_sim.analysis.backcast import (
    backcast,
    backcast_markdown,
    cases,
    cases_table,
    notes_markdown,
)


@pytest.fixture(scope="module")
def table():
    return backcast(cases())


def test_every_usable_evaluation_runs_with_its_source(table):
    assert len(table) >= 8
    usable = set(cases_table()["case"])
    assert set(table["case"]) == set(cases()) <= usable  # every translated case has evidence
    assert table["source"].str.len().gt(10).all()
    assert all(math.isfinite(v) for v in table["predicted_change"])


def test_the_model_responds_in_the_measured_direction(table):
    for row in table.itertuples():
        assert math.copysign(1, row.predicted_change) == math.copysign(1, row.observed_change), (
            row.case)


def test_cases_that_measured_the_models_own_quantity_are_flagged_and_counted(table):
    same = table[table["same_quantity"]]
    assert {"london_charge_2003_cars", "tallinn_fare_free_2013",
            "vienna_365_2012_modeshare"} <= set(same["case"])
    assert not table.set_index("case").loc["london_charge_2003", "same_quantity"]  # all vehicles
    # one run, two observations: the model's cars entering against all vehicles and cars alone
    london = table.set_index("case").loc[["london_charge_2003", "london_charge_2003_cars"]]
    assert london["predicted_change"].nunique() == 1
    assert london["observed_change"].nunique() == 2
    assert (f"{int(same['inside'].sum())} of the {len(same)} that measured the model's own "
            "quantity") in backcast_markdown(table)


def test_tallinns_fare_before_brings_in_the_residents_ticket_revenue():
    from mobility_sim.kernels.spec import PT

    from mobility_sim.analysis.backcast import (
        TALLINN_RESIDENTS_2012,
        TALLINN_RESIDENTS_TICKET_REVENUE_2012_EUR,
        revenue_fare,
    )
    from mobility_sim.city import load_city
    from mobility_sim.model.base_year import BaselineModel

    fare = revenue_fare("tallinn", TALLINN_RESIDENTS_TICKET_REVENUE_2012_EUR,
                        TALLINN_RESIDENTS_2012)
    assert cases()["tallinn_fare_free_2013"].parameters == {"pt.fare": fare}
    city = load_city("tallinn")
    model = BaselineModel.build(city, {"pt.fare": fare}, calibrated=True)
    revenue = fare * float(model.run().trips[..., PT].sum()) * 365.0
    per_resident = TALLINN_RESIDENTS_TICKET_REVENUE_2012_EUR / TALLINN_RESIDENTS_2012
    assert revenue == pytest.approx(per_resident * city.grid["population"].sum(), rel=2e-3)


def test_berlins_fare_before_is_bvgs_revenue_per_trip():
    from mobility_sim.analysis.backcast import BVG_FARE_REVENUE_2019_EUR, BVG_TRIPS_2019

    case = cases()["berlin_9euro_2022"]
    assert case.parameters["pt.fare"] == pytest.approx(766e6 / 1.125e9, abs=1e-4)
    assert BVG_FARE_REVENUE_2019_EUR / BVG_TRIPS_2019 == pytest.approx(0.681, abs=1e-3)
    assert case.measure["fare_eur"] < case.parameters["pt.fare"]  # the ticket cut the fare


def test_the_backcast_page_shows_todays_model(table, repo_root):
    page = (repo_root / "docs" / "backcast.md").read_text(encoding="utf-8")
    assert backcast_markdown(table) in page, (
        "docs/backcast.md is out of date: paste the output of 'mobility-sim backcast'")
    assert notes_markdown(cases()) in page, (
        "docs/backcast.md's 'How each case is put into the model' differs from the cases' "
        "notes (mobility_sim/analysis/backcast.py): paste notes_markdown(cases())")


def test_measures_in_force_are_in_both_runs_and_the_measure_in_one():
    # the ULEZ came to the congestion charge's zone: the charge runs before and after it
    import dataclasses

    from mobility_sim.analysis.backcast import _document, _needs_reference

    case = cases()["london_ulez_2019"]
    assert [m["type"] for m in case.in_force] == ["cordon_charge"]
    after = _document(case, [case.measure], "after")["measures"]
    before = _document(case, case.before, "before")["measures"]
    assert [m["type"] for m in after] == ["cordon_charge", "low_emission_zone"]
    assert [m["type"] for m in before] == ["cordon_charge"]
    assert before[0] == after[0] and before[0]["label"] != after[1]["label"]
    assert not _needs_reference(case)  # the city's centre zone is in both runs
    with pytest.raises(ValueError, match="read a city zone"):
        _needs_reference(dataclasses.replace(case, outcome="car_km_in_zone"))
