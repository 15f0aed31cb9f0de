"""The CI check that flags a fused kernel slower than at the previous commit."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _module():
    spec = importlib.util.spec_from_file_location("regression", ROOT / "benchmarks"
                                                  / "regression.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_a_slower_kernel_is_flagged_and_the_ratio_printed(capsys):
    check = _module()
    # against itself the ratio is near 1; a threshold of 0 must flag it
    assert check.main(["--base", "HEAD", "--cells", "300", "--repeats", "3",
                       "--threshold", "0"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("REGRESSION: kernel regression check: 300 cells")
    assert "ratio" in out


def test_a_missing_base_is_skipped_not_failed(capsys):
    check = _module()
    assert check.main(["--base", "no-such-commit-xyz", "--cells", "300"]) == 0
    assert "skipped" in capsys.readouterr().out
