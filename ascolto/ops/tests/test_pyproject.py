"""pyproject.toml declares its licence as an SPDX string (a table is deprecated and made
setuptools warn at every install), with a setuptools that reads it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[3] / "pyproject.toml"


def test_license_is_an_spdx_expression():
    data = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    license = data["project"]["license"]
    assert isinstance(license, str)
    assert re.fullmatch(r"[A-Za-z0-9.+-]+(?: (?:AND|OR|WITH) [A-Za-z0-9.+-]+)*", license)
    requires = " ".join(data["build-system"]["requires"])
    major = int(re.search(r"setuptools>=(\d+)", requires).group(1))
    assert major >= 77  # the first setuptools that reads an SPDX string (PEP 639)
