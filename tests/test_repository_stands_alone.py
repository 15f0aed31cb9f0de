"""A clone is all a user needs: no tracked file reads or names the developers' workspace folder.

The developers' machines have a folder of source material beside the checkout; a user who clones
the repository does not. Whatever the product, its tests, notebooks and docs need is copied into
the repository (the raw city sources into ``source_data/``, with their licences).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from mobility_sim.paths import ghs_rasters_dir, hsy_helsinki_grid, repo_root, source_data_dir

ROOT = Path(__file__).resolve().parents[1]
# Built from parts so that this file does not match itself.
_WORKSPACE = "sha" + "red"
OUTSIDE = re.compile(r"\.\./" + _WORKSPACE + r"\b|\b" + _WORKSPACE
                     + r"/(real_data|reference|hooks|DESIGN\.md|USERS\.md)")


def tracked_files() -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files cannot be listed")
    return [ROOT / name for name in out.decode().split("\0") if name]


def test_no_tracked_file_names_the_workspace_folder():
    offenders = []
    for path in tracked_files():
        if not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" in data[:4096]:
            continue  # binary (rasters, GeoPackage, Parquet)
        for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not offenders, ("tracked files refer to a folder outside the repository that a user "
                           "does not have; copy what they need into the repository:\n"
                           + "\n".join(offenders))


def test_the_detector_catches_a_reference():
    assert OUTSIDE.search("RASTERS = ROOT.parent / '" + _WORKSPACE + "/real_data/x.tif'")
    assert OUTSIDE.search("see ../" + _WORKSPACE + " beside the checkout")
    assert not OUTSIDE.search("shared_yaxes=True, a shared target")


def test_source_data_is_in_the_repository_with_its_licences():
    folder = source_data_dir()
    assert folder == ROOT / "source_data"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in readme and "Schiavina" in readme and "HSY" in readme
    rasters = sorted(ghs_rasters_dir().glob("*.tif"))
    assert len(rasters) == 29
    index = (ghs_rasters_dir() / "index.csv").read_text(encoding="utf-8").splitlines()
    assert len(index) == 30  # header + one row per raster
    assert {line.split(",")[-1] for line in index[1:]} == {p.name for p in rasters}
    assert hsy_helsinki_grid().is_file()
    tracked = {p.relative_to(ROOT).as_posix() for p in tracked_files()}
    assert {p.relative_to(ROOT).as_posix() for p in rasters} <= tracked, "rasters not tracked"


def test_repo_root_is_found_from_anywhere_inside_the_checkout(tmp_path):
    assert repo_root(ROOT / "mobility_sim" / "city") == ROOT
    assert repo_root(tmp_path) == ROOT  # falls back to the checkout the package runs from
