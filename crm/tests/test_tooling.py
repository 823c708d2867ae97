"""The repository's own tooling: the Makefile targets, the benchmark's data
generator and the documentation's links."""
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def make_dry_run(*args: str) -> list[str]:
    """The commands ``make`` would run (``make -n``), outside any calling make."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    result = subprocess.run(["make", "-n", "--no-print-directory", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, check=True)
    return result.stdout.splitlines()


def test_make_run_prints_the_port_it_serves_on():
    lines = make_dry_run("run", "PORT=8123")
    seed = next(line for line in lines if "seed_demo" in line)
    assert seed.endswith("seed_demo --addrport 127.0.0.1:8123")
    assert any(line.endswith("runserver 127.0.0.1:8123") for line in lines)


@pytest.mark.parametrize("target", ["bench", "bench-pg"])
def test_bench_collects_static_files_and_compiles_messages_first(target):
    """The list pages need the static files manifest (a fresh clone has none)."""
    lines = make_dry_run(target)
    first_benchmark = next(i for i, line in enumerate(lines) if "bench/run.py" in line)
    assert any("manage.py collectstatic" in line for line in lines[:first_benchmark])
    assert any("manage.py compilemessages" in line for line in lines[:first_benchmark])
