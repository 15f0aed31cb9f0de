"""The base year set against published city inventories (issue 20 item 4).

``docs/reconciliation.md`` holds the table ``mobility-sim reconcile`` prints; the test reruns
it and fails when the page and the model part ways. At least 8 cities are reconciled, each
with its figure's source and a judgement of the scopes.
"""

from __future__ import annotations

import pytest

from mobility_sim.analysis.inventory import SCOPES, reconcile, reconciliation_markdown


@pytest.fixture(scope="module")
def table():
    return reconcile()


def test_at_least_eight_cities_are_reconciled_with_sources_and_scopes(table):
    assert len(table) >= 8
    assert table["source"].str.len().gt(10).all()
    assert set(table["comparable"]) <= {"same", "partly", "different"}
    assert set(table["city"]) <= set(SCOPES)  # every figure's scope has been judged
    assert (table["model_t_per_resident"] > 0).all() and (table["ratio"] > 0).all()
    shares = table[["residents_share", "nonresidents_share", "through_share", "freight_share",
                    "pt_share"]].sum(axis=1)
    assert shares.between(0.99, 1.01).all()  # the components are the whole territorial total


def test_the_reconciliation_page_shows_todays_model(table, repo_root):
    page = (repo_root / "docs" / "reconciliation.md").read_text(encoding="utf-8")
    assert reconciliation_markdown(table) in page, (
        "docs/reconciliation.md is out of date: paste the output of 'mobility-sim reconcile'")
