"""Write docs/html-report.png: a screenshot of a real HTML report, taken with Chromium.

A pytest session in a temporary project runs two checks on the datasets of tests/data, one
failing (cars: 1970-76 vs 1977-82 model years) and one passing (Seattle weather 2012-13 vs
2014-15 at a 50% threshold), with ``--drift-html``; headless Chromium then renders the page
offline. Needs ``chromium`` (Debian: ``apt-get install chromium``).

Usage, from the repository root::

    .venv/bin/python docs/html_report.py [--output docs/html-report.png] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
TESTS = '''
import pytest

CARS = ("data/cars_model_years/baseline.csv", "data/cars_model_years/candidate.csv")
WEATHER = ("data/seattle_weather_api_log/baseline.csv",
           "data/seattle_weather_api_log/candidate.csv")


@pytest.mark.drift(*CARS, features=["Miles_per_Gallon", "Horsepower", "Weight_in_lbs",
                                    "Origin"])
def test_car_features_are_stable():
    pass


@pytest.mark.drift(*WEATHER, threshold=50)
def test_weather_features_are_stable():
    pass
'''
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars", "--host-resolver-rules=MAP * ~NOTFOUND")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "html-report.png")
    parser.add_argument("--keep", type=Path, help="also copy the HTML report here")
    parser.add_argument("--size", default="1280,2880", help="window size (default 1280,2880)")
    args = parser.parse_args(argv)
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as temporary:
        project = Path(temporary)
        for name in ("cars_model_years", "seattle_weather_api_log"):
            (project / "data" / name).mkdir(parents=True)
            for role in ("baseline", "candidate"):
                shutil.copyfile(DATA / name / f"{role}.csv",
                                project / "data" / name / f"{role}.csv")
        (project / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        (project / "test_gates.py").write_text(TESTS, encoding="utf-8")
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--drift-report=",
             "--drift-html", "drift.html"], cwd=project, capture_output=True, text=True,
            check=False)
        page = project / "drift.html"
        if run.returncode != 1 or not page.exists():  # one gate fails, on purpose
            print(run.stdout, run.stderr, file=sys.stderr)
            return 1
        if args.keep:
            shutil.copyfile(page, args.keep)
        shot = subprocess.run(
            [browser, *FLAGS, f"--user-data-dir={project / 'profile'}",
             f"--screenshot={args.output.resolve()}", f"--window-size={args.size}",
             page.as_uri()], capture_output=True, text=True, check=False, timeout=180)
        if shot.returncode != 0:
            print(shot.stderr, file=sys.stderr)
            return 1
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
