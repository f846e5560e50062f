"""The core knows no screen: importing it must not load textual."""

import subprocess
import sys

CORE_MODULES = ["stories", "stories.model", "stories.profile", "stories.codec", "stories.ids", "stories.fsutil"]


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
