"""Compare the project's speed curves (COPERT, EMEP/EEA 2019) with SUMO's HBEFA 4 models.

The oracle's factors are stored in ``docs/data/sumo_hbefa4_factors.csv`` (made by
``benchmarks/sumo_hbefa4_oracle.py`` with the ``eclipse-sumo`` package; see its docstring). This
script evaluates the COPERT curve the model uses for each vehicle class
(:data:`mobility_sim.fleet.speed_factors.CURVES`, plus the van and lorry rows of the same table)
at each cycle's mean speed, and writes the comparison (``docs/data/speed_factor_comparison.csv``)
and its Markdown tables (printed: the factors, then their shapes relative to the steady
50 km/h cycle; pasted into ``docs/traffic.md``, which a test keeps in sync).

CO2 from COPERT's energy: IPCC 2006 Guidelines Vol. 2 Ch. 3 Table 3.2.1 default emission
factors, motor gasoline 69.3 and gas/diesel oil 74.1 g CO2 per MJ (net calorific value).
Battery-electric cars: the model's packaged consumption (``emission_factors.csv``, kWh per km
including charging losses) moved by the shape of the curve it uses (the guidebook's N1-II
electric van), taken as holding at 50 km/h. Run from the repository root::

    .venv/bin/python benchmarks/compare_speed_factors.py
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from mobility_sim.fleet.speed_factors import CURVES, copert_factor, curve_row
from mobility_sim.fleet.tables import factor

ROOT = Path(__file__).resolve().parents[1]
ORACLE = ROOT / "docs" / "data" / "sumo_hbefa4_factors.csv"
OUTPUT = ROOT / "docs" / "data" / "speed_factor_comparison.csv"
#: g CO2 per MJ of fuel (IPCC 2006 Vol. 2 Ch. 3 Table 3.2.1 defaults).
CO2_PER_MJ = {"petrol": 69.3, "petrol_hybrid": 69.3, "diesel": 74.1}
#: Oracle class -> the COPERT curve compared with it (category, fuel, segment, Euro, technology).
PAIRS: dict[str, tuple[str, str, str, str, str]] = {
    "car_petrol_euro6ab": CURVES[("car", "petrol")],
    "car_diesel_euro6ab": CURVES[("car", "diesel")],
    "car_diesel_euro6d": ("passenger_car", "diesel", "Medium", "Euro 6 d (", "DPF+SCR"),
    "bus_diesel_euroVI_A-C": CURVES[("bus", "diesel")],
    "lcv_diesel_euro6ab": ("light_commercial", "diesel", "N1-III", "Euro 6 a/b/c", ""),
    "truck_rigid_diesel_euroVI_A-C": ("heavy_truck", "diesel", "Rigid 14 - 20 t", "Euro VI", ""),
}
#: The speed at which the packaged electric-car consumption is taken to hold (km/h).
FIFTY = np.array([50.0])
#: Differences within this share count as agreement (the issue's +-20 %).
BAND = 0.20


def comparison(oracle: pd.DataFrame) -> pd.DataFrame:
    """One row per oracle class, cycle and quantity: the project's value, SUMO's, the ratio."""
    rows = []
    for _, o in oracle.iterrows():
        speed = np.array([float(o["cycle_mean_speed_kmh"])])
        cls = o["vehicle_class"]
        if cls == "car_bev":
            curve = curve_row(*CURVES[("car", "bev")], "energy")
            shape = float(copert_factor(curve, speed)[0] / copert_factor(curve, FIFTY)[0])
            kwh = factor("car", "bev", "kwh") * shape
            rows.append((cls, o["cycle"], speed[0], "electricity_wh_per_km", 1000.0 * kwh,
                         float(o["electricity_wh_per_km"])))
            continue
        curve = PAIRS.get(cls)
        if curve is None:
            continue
        energy = curve_row(*curve, "energy")
        fuel = curve[1]
        if energy is not None:
            co2 = float(copert_factor(energy, speed)[0]) * CO2_PER_MJ[fuel]
            rows.append((cls, o["cycle"], speed[0], "co2_g_per_km", co2,
                         float(o["co2_g_per_km"])))
        nox = curve_row(*curve, "nox")
        if nox is not None:
            rows.append((cls, o["cycle"], speed[0], "nox_g_per_km",
                         float(copert_factor(nox, speed)[0]), float(o["nox_g_per_km"])))
    out = pd.DataFrame(rows, columns=["vehicle_class", "cycle", "mean_speed_kmh", "quantity",
                                      "project", "sumo_hbefa4"])
    out["ratio"] = out["project"] / out["sumo_hbefa4"]
    out["within_20pct"] = (out["ratio"] - 1.0).abs() <= BAND
    return out


def shapes(table: pd.DataFrame, reference: str = "steady_50kmh") -> pd.DataFrame:
    """Each factor relative to its value on the ``reference`` cycle: the curves' shapes.

    The model uses COPERT's curves as multipliers of its packaged factors, so their shape (how
    much a factor rises when traffic slows) is what it takes from them.
    """
    ref = table[table["cycle"] == reference].set_index(["vehicle_class", "quantity"])
    rows = []
    for r in table[table["cycle"] != reference].itertuples():
        base = ref.loc[(r.vehicle_class, r.quantity)]
        project = r.project / base["project"]
        sumo = r.sumo_hbefa4 / base["sumo_hbefa4"]
        rows.append((r.vehicle_class, f"{r.cycle} / {reference}", r.quantity, project, sumo))
    out = pd.DataFrame(rows, columns=["vehicle_class", "cycles", "quantity", "project",
                                      "sumo_hbefa4"])
    out["ratio"] = out["project"] / out["sumo_hbefa4"]
    out["within_20pct"] = (out["ratio"] - 1.0).abs() <= BAND
    return out


def markdown(table: pd.DataFrame) -> str:
    """The comparison as a Markdown table (one line per class, cycle and quantity)."""
    if "cycles" in table:  # a shape table
        lines = ["| class | cycles | quantity | project | SUMO HBEFA4 | ratio | within 20 % |",
                 "|---|---|---|---:|---:|---:|---|"]
        for r in table.itertuples():
            lines.append(f"| {r.vehicle_class} | {r.cycles} | {r.quantity} | {r.project:.2f} | "
                         f"{r.sumo_hbefa4:.2f} | {r.ratio:.2f} | "
                         f"{'yes' if r.within_20pct else 'no'} |")
        return "\n".join(lines)
    lines = ["| class | cycle | mean km/h | quantity | project | SUMO HBEFA4 | ratio "
             "| within 20 % |", "|---|---|---:|---|---:|---:|---:|---|"]
    for r in table.itertuples():
        lines.append(f"| {r.vehicle_class} | {r.cycle} | {r.mean_speed_kmh:.1f} | {r.quantity} | "
                     f"{r.project:.4g} | {r.sumo_hbefa4:.4g} | {r.ratio:.2f} | "
                     f"{'yes' if r.within_20pct else 'no'} |")
    return "\n".join(lines)


def main() -> None:
    """Write the comparison CSV and print its Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--oracle", type=Path, default=ORACLE)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    table = comparison(pd.read_csv(args.oracle))
    tmp = args.output.with_suffix(".tmp")
    table.to_csv(tmp, index=False, float_format="%.6g")
    tmp.replace(args.output)
    print(markdown(table))
    print()
    print(markdown(shapes(table)))


if __name__ == "__main__":
    main()
