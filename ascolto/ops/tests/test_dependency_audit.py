"""The dependency audit's verdict (test plan S20), on pip-audit's own report format."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "dependency_audit.py"
spec = importlib.util.spec_from_file_location("dependency_audit", SCRIPT)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

VULNERABLE = {
    "dependencies": [
        {"name": "django", "version": "5.2.0", "vulns": []},
        {
            "name": "jinja2",
            "version": "3.1.2",
            "vulns": [
                {
                    "id": "GHSA-h5c8-rqwp-cp95",
                    "fix_versions": ["3.1.3"],
                    "aliases": ["CVE-2024-22195"],
                    "description": "xmlattr filter",
                }
            ],
        },
        {"name": "ascolto", "skip_reason": "distribution marked as editable"},
    ],
    "fixes": [],
}
UNREACHABLE = {
    "dependencies": [
        {
            "name": "django",
            "skip_reason": "Dependency not found on PyPI and could not be audited: django (5.2)",
        },
        {"name": "ascolto", "skip_reason": "distribution marked as editable"},
    ]
}


def test_a_known_vulnerability_fails_the_build():
    code, lines = audit.decide(VULNERABLE, {})
    assert code == 1
    assert "jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)" in lines


def test_a_dated_exception_holds_until_its_date():
    text = "# id until why\nCVE-2024-22195 2026-06-30 only in the docs build\n"
    before = audit.exceptions(text, dt.date(2026, 6, 30))
    assert audit.decide(VULNERABLE, before)[0] == 0
    after = audit.exceptions(text, dt.date(2026, 7, 1))
    assert audit.decide(VULNERABLE, after)[0] == 1


def test_an_unreachable_service_is_reported_and_does_not_fail():
    code, lines = audit.decide(UNREACHABLE, {})
    assert code == 0
    assert "NOT RUN" in lines[0] and "could not be reached" in lines[0]


def test_clean_report():
    clean = {"dependencies": [{"name": "django", "version": "5.2.9", "vulns": []}]}
    assert audit.decide(clean, {}) == (
        0,
        ["dependency audit: 1 dependencies, no known vulnerability"],
    )
