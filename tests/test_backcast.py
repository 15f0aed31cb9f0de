"""Backcasts: measures cities took, run in the model against their evaluations (issue 22 item 8).

Every case of ``mobility_sim/data/backcast_cases.csv`` the model can represent runs here; none
is dropped for being outside its band. The test fails when a case stops running, when the
model's response has the wrong direction, or when ``docs/backcast.md`` no longer shows today's
model.
"""

from __future__ import annotations

import math

import pytest

from mobility_sim.analysis.backcast import backcast, backcast_markdown, cases, cases_table


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


def test_the_backcast_page_shows_todays_model(table, repo_root):
    page = (repo_root / "docs" / "backcast.md").read_text(encoding="utf-8")
    assert backcast_markdown(table) in page, (
        "docs/backcast.md is out of date: paste the output of 'mobility-sim backcast'")
