"""Where things live in a source checkout: the repository root and its data folders.

A user has only the cloned repository. Everything the product, its tests, its tutorials and its
docs read is inside it; nothing here points outside the checkout.
"""

from __future__ import annotations

from pathlib import Path

#: Folder of the repository that holds the raw source files of the shipped cities.
SOURCE_DATA = "source_data"


def repo_root(start: Path | None = None) -> Path:
    """Find the source checkout (the folder holding ``scenarios/`` and ``cities/``).

    Searches ``start`` (default: the working directory) and its parents, then the checkout this
    package is installed from (an editable install, as ``make`` sets up).

    Raises
    ------
    FileNotFoundError
        If no such folder is found.
    """
    here = (start or Path.cwd()).resolve()
    package_checkout = Path(__file__).resolve().parents[1]
    for folder in [here, *here.parents, package_checkout]:
        if (folder / "scenarios").is_dir() and (folder / "cities").is_dir():
            return folder
    raise FileNotFoundError("run this from inside the mobility_sim repository (a folder with "
                            "scenarios/ and cities/), or install the package from a checkout")


def source_data_dir(start: Path | None = None) -> Path:
    """Return the repository's ``source_data/`` folder (see its README for sources and licences)."""
    return repo_root(start) / SOURCE_DATA


def ghs_rasters_dir(start: Path | None = None) -> Path:
    """Return the folder of the GHS-POP 2020 urban-centre rasters (the shipped cities' source)."""
    return source_data_dir(start) / "ghs_pop_2020_1km_urban_centres"


def hsy_helsinki_grid(start: Path | None = None) -> Path:
    """Return the HSY 2020 250 m population grid of central Helsinki (GeoPackage)."""
    return source_data_dir(start) / "helsinki" / "helsinki_population_grid_2020_hsy_250m.gpkg"


def municipal_boundary(slug: str, start: Path | None = None) -> Path:
    """Return the path of a shipped city's municipal boundary (GeoJSON; it may not exist)."""
    return source_data_dir(start) / "municipal_boundaries" / f"{slug}.geojson"
