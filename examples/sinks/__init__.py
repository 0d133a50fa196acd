"""Report sinks for pytest-datadrift: implementations of the ``pytest_drift_report`` hook.

Each module is a pytest plugin; see ``README.md`` here for how to enable one.
"""
