"""The layers hold in the templates too (import-linter checks the Python imports in `make
test`): no template of a lower app loads a higher app's tag library, includes its templates or
links to its views; a higher app plugs in through the lower app's registries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "app_imports.py"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own script)
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60
    )


def test_no_template_points_up_the_layers():
    result = _run("--templates")
    assert result.returncode == 0, result.stdout
    assert "0 template references point up" in result.stderr


def test_no_import_points_up_the_layers_and_the_table_lists_the_apps():
    result = _run("--violations")
    assert result.returncode == 0, result.stdout
    table = _run("--markdown").stdout
    for app in ("lib", "core", "workspaces", "customers", "promises", "dashboards", "ops"):
        assert f"| `{app}` |" in table
