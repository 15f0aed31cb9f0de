"""Measures on vehicles and energy: electric sales, grid carbon intensity, fuel and carbon prices.

Each class docstring has a summary line, a ``Model:`` paragraph saying which model inputs the
measure changes (the reference page quotes both), and the fields' docstrings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field, model_validator

from .base import CityWide, unit

if TYPE_CHECKING:
    import numpy as np

    from .levers import LeverBuilder


class EvSalesShare(CityWide):
    """Battery-electric share of new car (or bus) sales reaches ``share``.

    Model: for cars, the sales mix feeds the fleet model, whose battery-electric share weights
    the electric car alternative of mode choice and sets the fleet-average emission factors; the
    other powertrains keep their reference proportions of the remaining sales. For buses, the
    share of battery-electric buses among new buses (bus fleet electrification) goes to the
    fleet model, which sets the emission factor of public transport. The measure acts on top of
    the reference case (the EU CO2 standards already raise the share year by year): it moves
    the share towards ``share`` but never below the reference case's share of the year.
    """

    AREA_REASON: ClassVar[str] = ("it applies city-wide: vehicle sales are one trajectory for "
                                  "the city")

    type: Literal["ev_sales_share"]
    vehicle: Literal["car", "bus"] = "car"
    """Vehicle class: ``car`` (new car registrations) or ``bus`` (new city buses)."""
    share: float = Field(ge=0, le=1, json_schema_extra=unit("share 0-1"))
    """Battery-electric share of new sales at full effect."""

    @property
    def overlap_key(self) -> tuple[str, ...]:
        """Car and bus sales are separate levers."""
        return (self.type, self.vehicle)

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Move the sales share towards ``share``."""
        if self.vehicle == "car":
            now = float(levers.bev_sales_share)
            levers.bev_sales_share = max(now, now + level * (self.share - now))
        elif level > 0:
            current = levers.bus_bev_sales_share
            now = levers.bus_baseline() if current is None else float(current)
            levers.bus_bev_sales_share = max(now, now + level * (self.share - now))


class GridDecarbonisation(CityWide):
    """Carbon intensity of the electricity grid falls to ``gco2e_per_kwh`` (or by ``reduction``).

    Model: the grid intensity (gCO2e/kWh) sets the well-to-wheel emission factors of
    battery-electric cars and electric public transport; give exactly one of the two fields.
    The measure acts on the reference case's intensity of each year (the country's projection,
    or its 2023 value where none was found): ``reduction`` cuts it further; ``gco2e_per_kwh``
    moves it towards the target, and never above the reference case's intensity.
    """

    AREA_REASON: ClassVar[str] = "it applies city-wide: the national grid supplies the whole city"

    type: Literal["grid_decarbonisation"]
    gco2e_per_kwh: float | None = Field(default=None, ge=0, le=2000,
                                        json_schema_extra=unit("gCO2e/kWh"))
    """Grid carbon intensity at full effect."""
    reduction: float | None = Field(default=None, ge=0, le=1, json_schema_extra=unit("share 0-1"))
    """Cut of the country's grid intensity at full effect: 0.8 means -80 %."""
    baseline_gco2e_per_kwh: float | None = Field(default=None, gt=0, le=2000,
                                                 json_schema_extra=unit("gCO2e/kWh"))
    """Intensity that ``gco2e_per_kwh`` is reached from when the reference case's intensity of
    the year is not known (a run always knows it: the country's projection or 2023 value)."""

    def problems(self) -> list[str]:
        """Add: exactly one target."""
        found = super().problems()
        given = [k for k in ("gco2e_per_kwh", "reduction") if getattr(self, k) is not None]
        if len(given) != 1:
            found.append("give exactly one of gco2e_per_kwh (target intensity) or reduction "
                         f"(share cut), given: {', '.join(given) or 'none'}")
        return found

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Move the grid intensity factor towards the target."""
        if level <= 0:
            return
        factor = float(levers.grid_intensity_factor)
        if self.gco2e_per_kwh is None:
            factor *= 1.0 - level * float(self.reduction or 0.0)
        else:
            reference = levers.reference_grid_gco2e or self.baseline_gco2e_per_kwh
            if reference is None:
                raise ValueError("grid_decarbonisation with gco2e_per_kwh needs "
                                 "baseline_gco2e_per_kwh or the reference case's intensity")
            target = min(self.gco2e_per_kwh, reference) / reference
            factor += level * (target - factor)
        levers.grid_intensity_factor = factor


class FuelPrice(CityWide):
    """Price of petrol and diesel changes by ``change_eur_per_litre`` (a fuel tax).

    Model: combustion cars' money cost per km rises by the change times the fuel use per km
    (``car.fuel_l_per_km``); mode and destination choice respond through the cost coefficient.
    Buyers of new cars respond too: the battery-electric share of sales moves in a binary
    purchase logit by the extra running cost of a combustion car over
    ``fleet.purchase.years_valued`` years of ``fleet.car.annual_km``
    (``mobility_sim/fleet/purchase.py``).
    """

    AREA_REASON: ClassVar[str] = "it applies city-wide: the model has one fuel price"
    PARAMETERS: ClassVar[tuple[str, ...]] = ("car.fuel_l_per_km", "car.cost_per_km_ice",
                                             "fleet.purchase.coef_per_keur",
                                             "fleet.purchase.years_valued",
                                             "fleet.car.annual_km")

    type: Literal["fuel_price"]
    change_eur_per_litre: float = Field(ge=-2, le=10, json_schema_extra=unit("EUR/l"))
    """Change of the pump price at full effect (negative for a cut)."""

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Add the price change."""
        levers.fuel_price_change_eur_per_l = (
            float(levers.fuel_price_change_eur_per_l) + level * self.change_eur_per_litre)


class EvPurchaseSubsidy(CityWide):
    """A purchase subsidy (or bonus) of ``eur_per_car`` for every new battery-electric car.

    Model: the battery-electric share of new-car sales moves in the binary purchase logit of
    ``mobility_sim/fleet/purchase.py`` by ``fleet.purchase.coef_per_keur x eur_per_car / 1000``
    (the coefficient is the one the European incentive evidence gives: 5-7 % more sales per
    1,000 EUR at low shares), on top of the reference case's share (or an ``ev_sales_share``
    measure's); the fleet, hence the electric car's share of trips and the emission factors,
    follow. No pass-through factor applies: the coefficient was estimated per euro of incentive
    paid, so the share that reached buyers in the countries it comes from is in it already (a
    factor on top would count it twice; in California 73-85 % reached the buyer: Muehlegger and
    Rapson). A share already at 100 % (the EU CO2 standards from 2035) does not move.
    Cost: the subsidy paid on every electric car sold in the city that year, those that would
    have been bought anyway included.
    """

    AREA_REASON: ClassVar[str] = ("it applies city-wide: vehicle sales are one trajectory for "
                                  "the city")
    PARAMETERS: ClassVar[tuple[str, ...]] = ("fleet.purchase.coef_per_keur",)

    type: Literal["ev_purchase_subsidy"]
    eur_per_car: float = Field(gt=0, le=30000, json_schema_extra=unit("EUR/car"))
    """Subsidy per new battery-electric car at full effect."""
    until: int | None = Field(default=None, ge=2000, le=2100, json_schema_extra=unit("year"))
    """Last year the subsidy is paid (default: to the end of the run)."""

    @model_validator(mode="after")
    def _until_after_start(self) -> EvPurchaseSubsidy:
        if self.until is not None and self.until < self.start:
            raise ValueError(f"until ({self.until}) is before start ({self.start}): the "
                             "subsidy would never be paid; set until to start or later")
        return self

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Add the subsidy."""
        levers.bev_purchase_subsidy_eur = (
            float(levers.bev_purchase_subsidy_eur) + level * self.eur_per_car)


class CarbonPrice(CityWide):
    """A carbon price of ``eur_per_tco2`` on car fuels on top of the reference case's.

    Model: combustion cars' money cost per km rises by the price times their fleet-average
    tank-to-wheel CO2 per vehicle-km (from the emission factors and the fleet mix of the year);
    electricity is not charged (power generation is already in the EU ETS). The EU ETS2 price
    on road fuels is part of the reference case in EU member states (``docs/reference_case.md``);
    this measure adds a national or local carbon charge to it. The part above the reference
    case's price also shifts the new-car mix, like a fuel tax (the new combustion cars' CO2 per
    km; ``mobility_sim/fleet/purchase.py``).
    """

    AREA_REASON: ClassVar[str] = "it applies city-wide: a carbon price covers all fuel sold"

    type: Literal["carbon_price"]
    eur_per_tco2: float = Field(ge=0, le=2000, json_schema_extra=unit("EUR/tCO2"))
    """Carbon price at full effect, EUR per tonne of CO2 (tank-to-wheel)."""

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Add the carbon price."""
        levers.carbon_price_eur_per_t = (
            float(levers.carbon_price_eur_per_t) + level * self.eur_per_tco2)
