"""Take the README's screenshots from a fresh demo business.

    .venv/bin/python docs/tools/screenshots.py [--customers 300]

Loads the demo into a temporary data folder (SQLite), serves it with `ascolto serve --web-only`
on a free port, logs in as the demo owner in Debian's Chromium (Playwright) and saves the pages
to docs/img/. Nothing outside the temporary folder and docs/img is touched.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
IMG = ROOT / "docs" / "img"
CHROMIUM = "/usr/bin/chromium"
TODAY = "2026-11-16"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ascolto(env: dict, *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (fixed argv)
        [str(BIN / "ascolto"), *args], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=300)
    options = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="ascolto-shots-"))
    port = free_port()
    env = {
        **os.environ,
        "ASCOLTO_DATA_DIR": str(data),
        "ASCOLTO_HTTPS": "0",
        "ASCOLTO_DEBUG": "0",
        "ASCOLTO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "ASCOLTO_SITE_URL": f"http://127.0.0.1:{port}",
        "ASCOLTO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    env.pop("DATABASE_URL", None)
    ascolto(env, "migrate", "-v0")
    ascolto(env, "demo", "--customers", str(options.customers), "--today", TODAY, "-v0")
    # Ids of a customer with an open crisis and one who told us something, for the pages below.
    ids = ascolto(
        env,
        "shell",
        "-c",
        "from ascolto.promises.models import Crisis;"
        "c = Crisis.objects.filter(closed_at__isnull=True).order_by('-opened_at').first();"
        "print('customer=%s' % (c.customer_id if c else ''))",
    )
    ids = [
        line.split("=", 1)[1]
        for line in ids.splitlines()
        if line.startswith("customer=") and line.split("=", 1)[1]
    ]
    server = subprocess.Popen(  # noqa: S603
        [str(BIN / "ascolto"), "serve", "--web-only", "--bind", f"127.0.0.1:{port}"], env=env
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _attempt in range(100):
            try:
                urllib.request.urlopen(base + "/health/", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            context = browser.new_context(
                base_url=base, viewport={"width": 1280, "height": 900}, locale="it-IT"
            )
            page = context.new_page()
            page.goto("/account/login/")
            page.fill("input[name=username]", "titolare@demo.ascolto.local")
            page.fill("input[name=password]", "ascolto-demo")
            page.locator("input[name=password]").press("Enter")
            page.wait_for_load_state("networkidle")
            shots = [("/dashboard/", "dashboard.png"), ("/promises/gaps/", "promise-gaps.png")]
            if ids:
                shots.append((f"/customers/{ids[0]}/", "crisis.png"))
            shots.append(("/textanalysis/?period=year", "comments.png"))
            for path, name in shots:
                page.goto(path)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(IMG / name), full_page=False)
                print(f"docs/img/{name}  <- {path}")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
