"""Independent oracle for speed-dependent emission factors: SUMO's HBEFA4 models.

Runs Eclipse SUMO's ``emissionsDrivingCycle`` tool (HBEFA 4.2-based emission
classes, i.e. SUMO's polynomial fits of HBEFA subsegments) on steady-speed
cycles and on the WLTC class 3 "Low" phase, and writes g/km factors to CSV.

Reproduce (the ``eclipse-sumo`` wheel ships the binaries)::

    python3 -m venv /tmp/sumo_venv && /tmp/sumo_venv/bin/pip install eclipse-sumo
    python3 benchmarks/sumo_hbefa4_oracle.py \
        --sumo-bin /tmp/sumo_venv/lib/python3.11/site-packages/sumo/bin \
        --output docs/data/sumo_hbefa4_factors.csv

Units: the tool's per-step output (``-o``) has the columns
``t;v;a;slope;CO;CO2;HC;PMx;NOx;fuel;electricity`` with pollutants and fuel in
mg/s and electricity in Wh/s (fuel is a mass since SUMO 1.14; ``--emissions.
volumetric-fuel`` is not used). With 1 s steps, g/km = total mg / distance m,
and Wh/km = total Wh / distance km. Distance is sum(v * dt) over the same steps.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
WLTC_CSV = HERE / "data" / "wltc_class3_low.csv"
WLTC_SOURCE = ("UN GTR No.15 / Reg. (EU) 2017/1151 Annex XXI Sub-Annex 1, WLTC class 3 Low3 "
               "(0-589 s); trace via JRC wltp package (github.com/JRCSTU/wltp)")

# Project label -> SUMO emission class. Names are HBEFA 4.2 subsegments with
# special characters removed, as listed in SUMO's docs page
# "Models/Emissions/HBEFA4-based" (sumo.dlr.de/docs/Models/Emissions/HBEFA4-based.html).
# "Energy/default" is SUMO's physics-based electric vehicle model with default
# vType parameters (not HBEFA), kept as a cross-check for the BEV class.
CLASSES: dict[str, str] = {
    "car_petrol_euro6ab": "HBEFA4/PC_petrol_Euro-6ab",
    "car_petrol_euro6d": "HBEFA4/PC_petrol_Euro-6d",
    "car_diesel_euro6ab": "HBEFA4/PC_diesel_Euro-6ab",
    "car_diesel_euro6d": "HBEFA4/PC_diesel_Euro-6d",
    "car_bev": "HBEFA4/PC_BEV",
    "car_bev_sumo_energy_model": "Energy/default",
    "lcv_diesel_euro6ab": "HBEFA4/LCV_diesel_N1-III_Euro-6ab",
    "lcv_diesel_euro6d": "HBEFA4/LCV_diesel_N1-III_Euro-6d",
    "bus_diesel_euroVI_A-C": "HBEFA4/UBus_Std_gt15-18t_Euro-VI_A-C",
    "bus_diesel_euroVI_D-E": "HBEFA4/UBus_Std_gt15-18t_Euro-VI_D-E",
    "bus_bev": "HBEFA4/UBus_Electric_Std_gt15-18t",
    "truck_rigid_diesel_euroVI_A-C": "HBEFA4/RT_gt14-20t_Euro-VI_A-C",
    "truck_rigid_diesel_euroVI_D-E": "HBEFA4/RT_gt14-20t_Euro-VI_D-E",
}
STEP_COLUMNS = ["t", "v", "a", "slope", "CO", "CO2", "HC", "PMx", "NOx", "fuel", "electricity"]


def find_tool(sumo_bin: str | None) -> Path:
    """Locate the ``emissionsDrivingCycle`` executable.

    Parameters
    ----------
    sumo_bin : str or None
        SUMO ``bin`` directory or the executable itself; falls back to
        ``$SUMO_HOME/bin`` and then ``PATH``.

    Returns
    -------
    Path
        Path of the executable.
    """
    candidates = []
    if sumo_bin:
        p = Path(sumo_bin)
        candidates.append(p / "emissionsDrivingCycle" if p.is_dir() else p)
    if os.environ.get("SUMO_HOME"):
        candidates.append(Path(os.environ["SUMO_HOME"]) / "bin" / "emissionsDrivingCycle")
    which = shutil.which("emissionsDrivingCycle")
    if which:
        candidates.append(Path(which))
    for c in candidates:
        if c.is_file():
            return c.resolve()
    raise FileNotFoundError("emissionsDrivingCycle not found; pass --sumo-bin or set SUMO_HOME")


def make_cycles(steady_s: int) -> dict[str, tuple[np.ndarray, str]]:
    """Build 1 Hz speed traces in km/h, keyed by cycle name.

    Parameters
    ----------
    steady_s : int
        Duration of the constant-speed cycles in seconds.

    Returns
    -------
    dict
        ``name -> (speed_kmh array starting at t=0, source description)``.
        The first sample only seeds the acceleration (``--compute-a``) and
        emits nothing, so steady cycles start already at speed (no ramp).
    """
    wltc = pd.read_csv(WLTC_CSV, comment="#")
    assert len(wltc) == 590 and abs(wltc.speed_kmh.sum() - 11140.3) < 1e-6, "WLTC trace corrupt"
    cycles = {f"steady_{v}kmh": (np.full(steady_s + 1, float(v)), f"synthetic constant {v} km/h, "
                                 f"{steady_s} s, a=0") for v in (50, 30, 20)}
    cycles["wltc3_low"] = (wltc.speed_kmh.to_numpy(float), WLTC_SOURCE)
    return cycles


def run_cycle(tool: Path, env: dict[str, str], eclass: str, speed_kmh: np.ndarray,
              workdir: Path) -> dict[str, float]:
    """Run one emission class over one cycle and return per-km factors.

    Parameters
    ----------
    tool : Path
        ``emissionsDrivingCycle`` executable.
    env : dict
        Environment for the subprocess (with ``SUMO_HOME``).
    eclass : str
        SUMO emission class, e.g. ``HBEFA4/PC_petrol_Euro-6ab``.
    speed_kmh : numpy.ndarray
        1 Hz speed trace in km/h.
    workdir : Path
        Scratch directory.

    Returns
    -------
    dict
        Distance (km), mean speed (km/h) and factors in g/km and Wh/km.
    """
    cyc, out = workdir / "cycle.txt", workdir / "steps.csv"
    cyc.write_text("".join(f"{t};{v:.3f}\n" for t, v in enumerate(speed_kmh)))
    subprocess.run([str(tool), "-t", str(cyc), "--kmh", "--compute-a", "-e", eclass,
                    "-o", str(out), "-q"], env=env, check=True, capture_output=True, text=True)
    steps = pd.read_csv(out, sep=";", header=None, names=STEP_COLUMNS)
    if steps.empty:
        raise RuntimeError(f"no output for {eclass}")
    dt = 1.0
    dist_m = float(steps.v.sum() * dt)
    tot = steps[["CO2", "NOx", "PMx", "fuel", "electricity"]].sum() * dt  # mg (Wh for electricity)
    return {"cycle_mean_speed_kmh": dist_m / (len(steps) * dt) * 3.6,
            "distance_km": dist_m / 1000.0,
            "co2_g_per_km": tot.CO2 / dist_m, "nox_g_per_km": tot.NOx / dist_m,
            "pmx_g_per_km": tot.PMx / dist_m, "fuel_g_per_km": tot.fuel / dist_m,
            "electricity_wh_per_km": tot.electricity / (dist_m / 1000.0)}


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point: run all classes x cycles and write the CSV."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sumo-bin", help="SUMO bin dir or emissionsDrivingCycle path")
    ap.add_argument("--output", type=Path, help="CSV to write",
                    default=HERE.parent / "docs" / "data" / "sumo_hbefa4_factors.csv")
    ap.add_argument("--steady-seconds", type=int, default=600,
                    help="duration of the constant-speed cycles [s]")
    args = ap.parse_args(argv)

    tool = find_tool(args.sumo_bin)
    env = dict(os.environ)
    env.setdefault("SUMO_HOME", str(tool.parent.parent))
    ver = subprocess.run([str(tool), "--version"], env=env, capture_output=True, text=True)
    version = ver.stdout.splitlines()[0].split()[-1]

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for cname, (speed, source) in make_cycles(args.steady_seconds).items():
            for label, eclass in CLASSES.items():
                res = run_cycle(tool, env, eclass, speed, Path(tmp))
                rows.append({"vehicle_class": label, "sumo_emission_class": eclass,
                             "cycle": cname, **res, "sumo_version": version,
                             "cycle_source": source})
    df = pd.DataFrame(rows)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(args.output, index=False, float_format="%.5g")
    print(df.drop(columns=["cycle_source", "sumo_emission_class"]).to_string(index=False))


if __name__ == "__main__":
    main()
