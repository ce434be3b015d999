"""Fixtures of the Python package's tests (tests/python, run by CTest as python_test):
the built command line (TRAINSIM_BIN) to compare with, the repository root."""
import json
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def cli():
    """cli(*args) -> the JSON document `trainsim ARGS --json` prints (stdout); cli.raw for the process."""
    binary = os.environ.get("TRAINSIM_BIN")
    if not binary:
        pytest.skip("TRAINSIM_BIN (the built trainsim command) is not set; CTest sets it")

    def raw(*args):
        return subprocess.run([binary, *args], cwd=ROOT, capture_output=True, text=True)

    def run_json(*args):
        p = raw(*args, "--json")
        assert p.returncode in (0, 1), p.stderr
        return json.loads(p.stdout)

    run_json.raw = raw
    run_json.binary = binary
    return run_json
