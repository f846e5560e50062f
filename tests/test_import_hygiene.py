"""The core knows no screen: importing it must not load textual, and an import-linter contract says so too."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE_MODULES = ["stories", "stories.model", "stories.profile", "stories.codec", "stories.ids", "stories.fsutil"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_core_does_not_load_textual() -> None:
    code = (
        "import importlib, pkgutil, sys, stories\n"
        "for info in pkgutil.walk_packages(stories.__path__, 'stories.'):\n"
        "    importlib.import_module(info.name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(len(loaded), loaded[:3])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("0 "), f"stories loaded textual: {result.stdout}"


def _lint(folder: Path) -> subprocess.CompletedProcess[str]:
    # PYTHONPATH first, so the packages analysed are the ones in ``folder``.
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(folder), "NO_COLOR": "1"}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=folder, capture_output=True, text=True, timeout=120, env=env)


def test_the_import_contract_holds_for_the_core() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken." in result.stdout


def test_the_import_contract_fails_on_a_core_module_that_imports_the_screen(tmp_path: Path) -> None:
    for package in ("stories", "tui", "themes"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    model = tmp_path / "stories" / "model.py"
    model.write_text(model.read_text("utf-8") + "\nfrom rich.text import Text  # a screen type in the core\n", "utf-8")
    (tmp_path / "stories" / "ids.py").write_text((ROOT / "stories" / "ids.py").read_text("utf-8") + "\nimport tui.app\n", "utf-8")
    result = _lint(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout and "Contracts: 0 kept, 1 broken." in result.stdout
    assert "stories.model -> rich" in result.stdout and "stories.ids -> tui.app" in result.stdout
