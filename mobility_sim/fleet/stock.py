"""Vintage stock turnover of one vehicle class: survivors + sales = stock, every year.

The stock is an array ``(ages, powertrains)``: row ``a`` holds the vehicles of age ``a`` (row 0:
sold this year). One step to the next year ages every row by one, retires a share of each age
(:meth:`Survival.retirement_rates`), optionally retires some vehicles early (a low-emission
zone), then adds the sales that bring the stock to its target size, split by the year's sales
shares. If the survivors alone exceed the target, the excess is retired evenly across ages and
nothing is sold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .survival import Survival


@dataclass(frozen=True)
class StockYear:
    """A vehicle class's stock in one year, and the flows that led to it.

    Attributes
    ----------
    year : int
        Calendar year (stock counted after that year's sales).
    powertrains : tuple of str
        Column order of the arrays.
    by_age : ndarray, shape (A, P)
        Vehicles by age (row 0 = sold this year) and powertrain.
    sales : ndarray, shape (P,)
        Vehicles sold this year.
    retired : ndarray, shape (P,)
        Vehicles retired on the survival curve (and by stock shrinkage) since last year.
    early_retired : ndarray, shape (P,)
        Vehicles retired early by a low-emission zone since last year.
    """

    year: int
    powertrains: tuple[str, ...]
    by_age: np.ndarray
    sales: np.ndarray
    retired: np.ndarray
    early_retired: np.ndarray

    @property
    def stock(self) -> np.ndarray:
        """Vehicles by powertrain, shape (P,)."""
        return self.by_age.sum(axis=0)

    @property
    def survivors(self) -> np.ndarray:
        """Vehicles by powertrain that were already in the stock last year, shape (P,)."""
        return self.by_age[1:].sum(axis=0)

    @property
    def total(self) -> float:
        """All vehicles."""
        return float(self.by_age.sum())

    def shares(self) -> dict[str, float]:
        """Stock shares by powertrain (sum to 1; equal shares of an empty stock)."""
        stock = self.stock
        total = stock.sum()
        if total <= 0:
            return {p: 1.0 / len(self.powertrains) for p in self.powertrains}
        return dict(zip(self.powertrains, (stock / total).tolist(), strict=True))

    def sales_shares(self) -> dict[str, float]:
        """Sales shares by powertrain (0 when nothing was sold)."""
        total = self.sales.sum()
        values = self.sales / total if total > 0 else np.zeros_like(self.sales)
        return dict(zip(self.powertrains, values.tolist(), strict=True))

    def mean_age(self) -> np.ndarray:
        """Mean age by powertrain, years (NaN where the stock is empty), shape (P,)."""
        ages = np.arange(self.by_age.shape[0], dtype=float)[:, None]
        stock = self.stock
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(stock > 0, (self.by_age * ages).sum(axis=0) / stock, np.nan)


def initial_stock(year: int, total: float, shares: Mapping[str, float],
                  powertrains: tuple[str, ...], survival: Survival) -> StockYear:
    """Build a starting stock: ``total`` vehicles with the steady-state age profile.

    Every powertrain gets the same age profile (assumption: no age data by powertrain).
    """
    ages = survival.steady_state_ages()
    mix = np.array([shares.get(p, 0.0) for p in powertrains], dtype=float)
    by_age = total * ages[:, None] * mix[None, :]
    zeros = np.zeros(len(powertrains))
    return StockYear(year, powertrains, by_age, by_age[0].copy(), zeros, zeros.copy())


def step(previous: StockYear, target_total: float, sales_shares: Mapping[str, float],
         retirement_rates: np.ndarray, early: np.ndarray | None = None,
         replacement_shares: Mapping[str, float] | None = None) -> StockYear:
    """Advance the stock by one year.

    Parameters
    ----------
    previous : StockYear
        Last year's stock.
    target_total : float
        Vehicles in the stock this year.
    sales_shares : mapping of str to float
        This year's sales shares by powertrain (sum to 1).
    retirement_rates : ndarray, shape (A,)
        Share of each age retired before the next year (last entry 1).
    early : ndarray, shape (A, P), optional
        Share of the surviving vehicles of each (new) age and powertrain retired early this
        year (low-emission zone); the retired vehicles are replaced by sales.
    replacement_shares : mapping of str to float, optional
        Sales shares of the vehicles bought to replace the early-retired ones (the powertrains
        the zone lets in; default ``sales_shares``). The other sales follow ``sales_shares``.

    Returns
    -------
    StockYear
        This year's stock: ``stock == survivors + sales`` holds exactly.
    """
    old = previous.by_age
    n_ages = old.shape[0]
    aged = np.zeros_like(old)
    aged[1:] = old[:-1] * (1.0 - retirement_rates[:-1, None])
    retired = old.sum(axis=0) - aged.sum(axis=0)
    early_retired = np.zeros(old.shape[1])
    if early is not None:
        removed = aged * np.clip(early, 0.0, 1.0)
        aged -= removed
        early_retired = removed.sum(axis=0)
    surviving = float(aged.sum())
    to_sell = target_total - surviving
    if to_sell < 0:
        excess = aged * (1.0 - target_total / surviving)
        aged -= excess
        retired = retired + excess.sum(axis=0)
        to_sell = 0.0
    sales = to_sell * _normalised(sales_shares, previous)
    if replacement_shares is not None and early_retired.sum() > 0 and to_sell > 0:
        replaced = min(float(early_retired.sum()), to_sell)
        sales = ((to_sell - replaced) * _normalised(sales_shares, previous)
                 + replaced * _normalised(replacement_shares, previous))
    aged[0] = sales
    assert aged.shape[0] == n_ages
    return StockYear(previous.year + 1, previous.powertrains, aged, sales, retired,
                     early_retired)


def _normalised(shares: Mapping[str, float], stock: StockYear) -> np.ndarray:
    """``shares`` in the order of the stock's powertrains, summing to 1."""
    mix = np.array([shares.get(p, 0.0) for p in stock.powertrains], dtype=float)
    total = mix.sum()
    if total <= 0:
        raise ValueError(f"sales shares of {stock.year + 1} sum to 0: {dict(shares)}")
    return mix / total
