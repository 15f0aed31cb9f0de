"""numba cache folder fallback and thread wait policy (kernels/numba_env.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from mobility_sim.kernels import numba_env


def unwritable(tmp_path: Path) -> Path:
    """A folder that cannot be created, even by root: its parent is a regular file."""
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    return blocker / "package"


def test_writable_package_folder_keeps_numbas_choice(tmp_path):
    assert numba_env.choose_cache_dir(tmp_path, {}) is None
    assert numba_env.is_writable_dir(tmp_path / "__pycache__")


def test_user_setting_is_respected(tmp_path):
    assert numba_env.choose_cache_dir(unwritable(tmp_path), {"NUMBA_CACHE_DIR": "/x"}) is None


def test_read_only_package_falls_back_to_the_user_cache(tmp_path):
    env = {"HOME": str(tmp_path / "home")}
    folder = numba_env.choose_cache_dir(unwritable(tmp_path), env)
    assert folder == tmp_path / "home" / ".cache" / "mobility_sim" / "numba"
    assert folder.is_dir()
    xdg = {"XDG_CACHE_HOME": str(tmp_path / "xdg"), **env}
    assert numba_env.choose_cache_dir(unwritable(tmp_path), xdg) == (
        tmp_path / "xdg" / "mobility_sim" / "numba")


def test_no_writable_folder_is_an_error_naming_the_fix(tmp_path):
    with pytest.raises(OSError, match="NUMBA_CACHE_DIR"):
        numba_env.choose_cache_dir(unwritable(tmp_path), {}, [unwritable(tmp_path) / "x"])


def test_ensure_cache_dir_sets_the_environment(tmp_path, monkeypatch):
    monkeypatch.setattr(numba_env, "PACKAGE_DIR", unwritable(tmp_path))
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    import numba.core.config as config

    monkeypatch.setattr(config, "CACHE_DIR", config.CACHE_DIR)
    folder = numba_env.ensure_cache_dir()
    assert os.environ["NUMBA_CACHE_DIR"] == str(folder) == config.CACHE_DIR
    assert folder.is_dir()


def test_thread_wait_policy_defaults_to_passive_but_respects_the_user(monkeypatch):
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.setenv("NUMBA_CACHE_DIR", "/unused")
    numba_env.prepare()
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    numba_env.prepare()
    assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"
