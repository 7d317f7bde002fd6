"""Known vulnerabilities in the installed dependencies (test plan S20), for `make audit` / CI.

Runs pip-audit on the virtual environment `make install` built (exactly the versions the tests
run with; Ascolto itself, installed editable, is left out) and decides:

- a known vulnerability, not covered by a dated exception in .ci/audit-exceptions.txt: exit 1;
- the vulnerability service could not be reached (no dependency could be looked up, as on a CI
  machine without internet access beyond the package registries): a clear warning, exit 0;
- otherwise: exit 0, and any dependency that could not be looked up is named.

Exceptions file: one per line, `VULNERABILITY-ID YYYY-MM-DD why`, honoured until that date.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXCEPTIONS = ROOT / ".ci" / "audit-exceptions.txt"


def exceptions(text: str, today: dt.date) -> dict[str, str]:
    """The vulnerability ids still excepted today, with their reason."""
    active = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        vuln_id, until, *why = line.split(maxsplit=2)
        if dt.date.fromisoformat(until) >= today:
            active[vuln_id] = why[0] if why else ""
    return active


def decide(report: dict, excepted: dict[str, str]) -> tuple[int, list[str]]:
    """Exit code and the lines to print, from pip-audit's JSON report."""
    found, unreachable, audited = [], [], 0
    for dep in report.get("dependencies", []):
        reason = dep.get("skip_reason", "")
        if reason:
            if "could not be audited" in reason:
                unreachable.append(dep["name"])
            continue
        audited += 1
        for vuln in dep.get("vulns", []):
            ids = {vuln["id"], *vuln.get("aliases", [])}
            if ids & excepted.keys():
                continue
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            found.append(f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})")
    if found:
        return 1, ["dependency audit: known vulnerabilities found:", *found]
    if audited == 0 and unreachable:
        return 0, [
            "dependency audit: NOT RUN, the vulnerability service could not be reached "
            f"({len(unreachable)} dependencies could not be looked up). Run `make audit` where "
            "it can be reached (docs/security.md)."
        ]
    lines = [f"dependency audit: {audited} dependencies, no known vulnerability"]
    if unreachable:
        lines.append("could not be looked up: " + ", ".join(sorted(unreachable)))
    return 0, lines


def main() -> int:
    done = subprocess.run(  # noqa: S603
        [
            str(Path(sys.executable).parent / "pip-audit"),
            "--skip-editable",
            "--progress-spinner",
            "off",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    try:
        report = json.loads(done.stdout)
    except ValueError:
        print(done.stderr.strip()[-2000:])
        print("dependency audit: NOT RUN, pip-audit gave no report (docs/security.md).")
        return 0
    text = EXCEPTIONS.read_text() if EXCEPTIONS.exists() else ""
    code, lines = decide(report, exceptions(text, dt.date.today()))
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
