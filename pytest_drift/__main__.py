"""``python -m pytest_drift``: the same as the ``datadrift`` command."""

from pytest_drift.cli import main

raise SystemExit(main())
