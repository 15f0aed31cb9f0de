"""Headline indicators of a run, computed from its tidy tables (never by re-running the model).

:func:`scenario_kpis` returns plain numbers (for tables comparing scenarios or cities);
:func:`kpi_cards` turns them into the labelled cards at the top of a dashboard.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    # Only for annotations: the report layer reads Results' attributes and never imports the
    # module at run time, so that Results can draw itself with these functions in a notebook.
    from ..results import Results

#: Summary column that a target applies to unless ``meta["target"]["metric"]`` says otherwise.
DEFAULT_TARGET_METRIC = "co2_wtw_t"
_METRIC_LABEL = {"co2_wtw_t": "well-to-wheel", "co2_ttw_t": "tank-to-wheel",
                 "territorial_co2_wtw_t": "territorial, well-to-wheel",
                 "territorial_co2_ttw_t": "territorial, tank-to-wheel"}


@dataclass(frozen=True)
class Target:
    """A city's emission target: ``reduction`` (0.55 = -55 %) by ``year`` versus ``base_year``.

    ``base_level`` is the base year's emissions on the model's scope when the run anchored them
    (a base year before the run: city inventory or national backcast, ``base_method``); None:
    read from the run's own summary in the base year.
    """

    year: int
    reduction: float
    base_year: int
    metric: str = DEFAULT_TARGET_METRIC
    base_level: float | None = None
    base_method: str = "modelled"
    name: str = ""

    @property
    def metric_label(self) -> str:
        """'well-to-wheel' or 'tank-to-wheel'."""
        return _METRIC_LABEL.get(self.metric, self.metric)

    @property
    def label(self) -> str:
        """The target's name, or e.g. '−55 % by 2030 vs 1990'."""
        return self.name or f"−{100 * self.reduction:.0f} % by {self.year} vs {self.base_year}"

    def level_at_base(self, summary: pd.DataFrame, column: str | None = None) -> float | None:
        """Base-year emissions: the anchored level, else the run's value in the base year.

        With ``column`` (e.g. per-resident emissions), the anchored level is converted with the
        ratio of ``column`` to the metric in the run's first year.
        """
        if self.base_level is None:
            return _value(summary, self.base_year, column or self.metric)
        if column is None or column == self.metric:
            return self.base_level
        first = int(summary["year"].min())
        total, other = _value(summary, first, self.metric), _value(summary, first, column)
        if not total or other is None:
            return None
        return self.base_level * other / total

    def path(self, summary: pd.DataFrame, column: str | None = None
             ) -> tuple[list[int], list[float]] | None:
        """Return the straight target path from the base year, drawn from the run's first year.

        Returns ([x0, target year], [level at x0, target level]); x0 is the base year when the
        run covers it, else the run's first year (on the straight line from the base year).
        """
        level0 = self.level_at_base(summary, column)
        if level0 is None:
            return None
        goal = level0 * (1.0 - self.reduction)
        first = int(summary["year"].min())
        if self.base_year >= first or self.year <= self.base_year:
            return [self.base_year, self.year], [level0, goal]
        x0 = min(first, self.year)
        y0 = level0 + (goal - level0) * (x0 - self.base_year) / (self.year - self.base_year)
        return [x0, self.year], [y0, goal]


def read_targets(meta: dict[str, Any], default_base_year: int | None) -> list[Target]:
    """Every target of a run (``meta["targets"]``, else ``meta["target"]``), readable ones."""
    raws = meta.get("targets")
    if not isinstance(raws, list):
        raws = [meta.get("target")]
    out = [_target(raw, default_base_year) for raw in raws]
    return [t for t in out if t is not None]


def read_target(meta: dict[str, Any], default_base_year: int | None) -> Target | None:
    """Return the target in ``meta["target"]``, or None when there is none or it is incomplete."""
    return _target(meta.get("target"), default_base_year)


def _target(raw: Any, default_base_year: int | None) -> Target | None:
    if not isinstance(raw, dict):
        return None
    try:
        year = int(raw["year"])
        reduction = float(raw["reduction"])
    except (KeyError, TypeError, ValueError):
        return None
    base = raw.get("base_year", default_base_year)
    if base is None:
        return None
    metric = str(raw.get("metric") or DEFAULT_TARGET_METRIC)
    if not metric.endswith("_t"):
        metric += "_t"  # the scenario names the metric (co2_wtw); the summary column has "_t"
    if metric not in _METRIC_LABEL:
        return None
    level = raw.get("base_emissions_t")
    method = str(raw.get("base_method") or "modelled")
    return Target(year=year, reduction=reduction, base_year=int(base), metric=metric,
                  base_level=(float(level) if isinstance(level, int | float)
                              and method != "modelled" else None),
                  base_method=method, name=str(raw.get("name") or ""))


def scenario_name(results: Results) -> str:
    """``meta["scenario_name"]``, or 'Unnamed scenario'."""
    return str(results.meta.get("scenario_name") or "Unnamed scenario")


def city_name(results: Results) -> str:
    """``meta["city_name"]``, or the slug, or 'Unnamed city'."""
    meta = results.meta
    return str(meta.get("city_name") or meta.get("city_slug") or "Unnamed city")


def layer_statuses(meta: Mapping[str, Any]) -> dict[str, str]:
    """Return each grid layer's status (``real``, ``proxy`` or ``default``) from a run's meta."""
    layers = meta.get("layers") if isinstance(meta.get("layers"), Mapping) else {}
    return {str(name): str(info.get("status")) for name, info in layers.items()
            if isinstance(info, Mapping)}


def base_year_of(results: Results) -> int:
    """Return ``meta["base_year"]`` if it is a year of the run, else the run's first year."""
    years = sorted(int(y) for y in results.summary["year"])
    if not years:
        raise ValueError("the summary table has no years")
    base = results.meta.get("base_year")
    try:
        base = int(base)
    except (TypeError, ValueError):
        return years[0]
    return base if base in years else years[0]


def _value(summary: pd.DataFrame, year: int | None, column: str) -> float | None:
    if year is None or column not in summary.columns:
        return None
    rows = summary.loc[summary["year"] == year, column]
    if rows.empty:
        return None
    value = float(rows.iloc[0])
    return value if math.isfinite(value) else None


def _share(results: Results, year: int, groups: tuple[str, ...], by: str = "trips") -> float | None:
    modes = results.modes
    rows = modes[modes["year"] == year]
    total = float(rows[by].sum())
    if rows.empty or total <= 0:
        return None
    return float(rows.loc[rows["mode_group"].isin(groups), by].sum()) / total


def _pct_change(new: float | None, old: float | None) -> float | None:
    if new is None or old is None or old == 0:
        return None
    return 100.0 * (new - old) / old


def scenario_kpis(results: Results) -> dict[str, Any]:
    """Headline numbers of one run.

    Returns
    -------
    dict
        ``base_year``, ``final_year``; ``co2_wtw_base_t``, ``co2_wtw_final_t``,
        ``co2_wtw_change_pct`` (final vs base), ``co2_ttw_base_t``, ``co2_ttw_final_t``,
        ``co2_ttw_change_pct``; per resident ``co2_wtw_pc_base_kg``, ``co2_wtw_pc_final_kg``;
        ``car_share_base``, ``car_share_final`` (share of trips, 0-1);
        ``bev_share_final`` (0-1); ``population_final``; when the summary has them,
        ``nox_base``, ``nox_final``, ``nox_change_pct``, ``pm25_base``, ``pm25_final``,
        ``pm25_change_pct`` (tonnes) and ``deaths_avoided_base``, ``deaths_avoided_final``
        (WHO HEAT, per year); and, when a target is given,
        ``target_year``, ``target_base_year``, ``target_reduction_pct``, ``target_metric``,
        ``target_year_in_run`` (bool), ``co2_target_year_t``, ``reduction_at_target_year_pct``,
        ``target_level_t`` and ``gap_t`` (emissions above the target level, negative when the
        target is beaten). Values the run cannot give are None.
    """
    summary = results.summary
    base = base_year_of(results)
    final = int(summary["year"].max())
    out: dict[str, Any] = {"base_year": base, "final_year": final}
    for kind in ("wtw", "ttw"):
        col = f"co2_{kind}_t"
        out[f"co2_{kind}_base_t"] = _value(summary, base, col)
        out[f"co2_{kind}_final_t"] = _value(summary, final, col)
        out[f"co2_{kind}_change_pct"] = _pct_change(out[f"co2_{kind}_final_t"],
                                                    out[f"co2_{kind}_base_t"])
    out["co2_wtw_pc_base_kg"] = _value(summary, base, "co2_wtw_per_capita_kg")
    out["co2_wtw_pc_final_kg"] = _value(summary, final, "co2_wtw_per_capita_kg")
    out["car_share_base"] = _share(results, base, ("car",))
    out["car_share_final"] = _share(results, final, ("car",))
    out["bev_share_final"] = _value(summary, final, "fleet_bev_share")
    for key, col in (("nox", "nox_t"), ("pm25", "pm25_t"), ("deaths_avoided", "deaths_avoided")):
        out[f"{key}_base"] = _value(summary, base, col)
        out[f"{key}_final"] = _value(summary, final, col)
    out["nox_change_pct"] = _pct_change(out["nox_final"], out["nox_base"])
    out["pm25_change_pct"] = _pct_change(out["pm25_final"], out["pm25_base"])
    out["population_final"] = _value(summary, final, "population")

    target = read_target(results.meta, base)
    out["target_year"] = None
    if target is not None:
        in_run = target.year in set(int(y) for y in summary["year"])
        level_base = target.level_at_base(summary)
        at_year = _value(summary, target.year, target.metric) if in_run else None
        level = None if level_base is None else level_base * (1.0 - target.reduction)
        out.update({
            "target_year": target.year,
            "target_base_year": target.base_year,
            "target_name": target.label,
            "target_base_method": target.base_method,
            "target_reduction_pct": 100.0 * target.reduction,
            "target_metric": target.metric,
            "target_year_in_run": in_run,
            "co2_target_year_t": at_year,
            "reduction_at_target_year_pct": (None if at_year is None or not level_base
                                             else 100.0 * (1.0 - at_year / level_base)),
            "target_level_t": level,
            "gap_t": None if at_year is None or level is None else at_year - level,
        })
    return out


# ----------------------------------------------------------------------------------------------
# Formatting


def fmt_tonnes(t: float | None) -> str:
    """Format tonnes of CO2e: '12,345 t' below 100 kt, '412.3 kt' above, 'n/a' for None."""
    if t is None:
        return "n/a"
    if abs(t) >= 100_000:
        return f"{t / 1000:,.0f} kt"
    if abs(t) >= 10_000:
        return f"{t / 1000:,.1f} kt"
    return f"{t:,.0f} t"


def fmt_pct(p: float | None, *, signed: bool = True, digits: int = 1) -> str:
    """Format a percentage with a true minus sign, e.g. '−23.4 %'; 'n/a' for None."""
    if p is None or not math.isfinite(p):
        return "n/a"
    text = f"{p:+.{digits}f} %" if signed else f"{p:.{digits}f} %"
    return text.replace("-", "\u2212")


def fmt_number(v: float | None, digits: int = 0, unit: str = "") -> str:
    """Format a number with thousands separators and an optional unit; 'n/a' for None."""
    if v is None or not math.isfinite(v):
        return "n/a"
    text = f"{v:,.{digits}f}".replace("-", "\u2212")
    return f"{text} {unit}".strip()


@dataclass(frozen=True)
class KpiCard:
    """One headline card: a label, a big value, a detail line and a tone.

    ``tone`` is 'good', 'bad' or 'neutral' (shown by colour and by an icon-free word, so it does
    not rely on colour alone).
    """

    label: str
    value: str
    detail: str
    tone: str = "neutral"


def kpi_cards(k: dict[str, Any]) -> list[KpiCard]:
    """Turn :func:`scenario_kpis` numbers into dashboard cards."""
    base, final = k["base_year"], k["final_year"]
    cards: list[KpiCard] = []
    change = k["co2_wtw_change_pct"]
    cards.append(KpiCard(
        label=f"CO₂e well-to-wheel, {final}",
        value=fmt_tonnes(k["co2_wtw_final_t"]),
        detail=f"{fmt_pct(change)} vs {base} ({fmt_tonnes(k['co2_wtw_base_t'])})",
        tone="neutral" if change is None else ("good" if change < 0 else "bad"),
    ))
    cards.append(KpiCard(
        label=f"CO₂e per resident, {final}",
        value=fmt_number(k["co2_wtw_pc_final_kg"], 0, "kg/yr"),
        detail=f"{fmt_number(k['co2_wtw_pc_base_kg'], 0, 'kg/yr')} in {base}; well-to-wheel",
    ))
    if k.get("target_year") is not None:
        ty = k["target_year"]
        goal = fmt_pct(-k["target_reduction_pct"], digits=0)
        what = f"{goal} by {ty} vs {k['target_base_year']}"
        if not k["target_year_in_run"]:
            cards.append(KpiCard(label="Gap to the city's target", value="not in run",
                                 detail=f"target {what}; the run covers {base}-{final}"))
        elif k["gap_t"] is None:
            cards.append(KpiCard(label="Gap to the city's target", value="n/a",
                                 detail=f"target {what}; base year {k['target_base_year']} "
                                        "is not in the run"))
        else:
            gap = k["gap_t"]
            met = gap <= 0
            cards.append(KpiCard(
                label=f"Gap to the city's target, {ty}",
                value=("met" if met else fmt_tonnes(gap) + " over"),
                detail=(f"target {what}; reached "
                        f"{fmt_pct(-k['reduction_at_target_year_pct'])}"),
                tone="good" if met else "bad",
            ))
            if ty != final:
                cards.append(KpiCard(
                    label=f"CO₂e in the target year {ty}",
                    value=fmt_tonnes(k["co2_target_year_t"]),
                    detail=f"{fmt_pct(-k['reduction_at_target_year_pct'])} vs "
                           f"{k['target_base_year']}",
                ))
    if k["car_share_final"] is not None:
        cs_base = k["car_share_base"]
        cards.append(KpiCard(
            label=f"Car share of trips, {final}",
            value=fmt_pct(100 * k["car_share_final"], signed=False, digits=0),
            detail=("n/a" if cs_base is None else
                    f"{fmt_pct(100 * cs_base, signed=False, digits=0)} in {base}"),
        ))
    if k["bev_share_final"] is not None:
        cards.append(KpiCard(
            label=f"Battery-electric cars, {final}",
            value=fmt_pct(100 * k["bev_share_final"], signed=False, digits=0),
            detail="share of the car fleet",
        ))
    if k.get("nox_final") is not None:
        pm = k.get("pm25_change_pct")
        cards.append(KpiCard(
            label=f"NOx, {final}",
            value=fmt_number(k["nox_final"], 0, "t/yr"),
            detail=f"{fmt_pct(k['nox_change_pct'])} vs {base}"
                   + ("" if pm is None else f"; PM2.5 {fmt_pct(pm)}"),
            tone="neutral" if k["nox_change_pct"] is None else (
                "good" if k["nox_change_pct"] < 0 else "bad"),
        ))
    if k.get("deaths_avoided_final") is not None:
        cards.append(KpiCard(
            label=f"Deaths avoided by walking and cycling, {final}",
            value=fmt_number(k["deaths_avoided_final"], 0, "/yr"),
            detail=f"{fmt_number(k.get('deaths_avoided_base'), 0)} in {base} (WHO HEAT)",
        ))
    return cards
