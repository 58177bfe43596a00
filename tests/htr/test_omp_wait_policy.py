"""OpenMP's threads sleep rather than spin in every process that runs the engine (htr/__init__.py) or a worker
(portal/celery.py): set before torch is imported, which is when libgomp reads it. benchmarks/omp_wait_policy.py
measures why (a 2-thread fine-tune on a shared CPU: 1 epoch spinning, 13 sleeping, in the same 40 s)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.processes import REPO

PROBE = "import os, {module}; import torch; print(os.environ['OMP_WAIT_POLICY'])"


def environment_without_the_policy() -> dict:
    env = dict(os.environ)
    env.pop("OMP_WAIT_POLICY", None)
    return env


@pytest.mark.parametrize("module", ["htr", "portal.celery"])
def test_importing_the_engine_or_the_worker_app_makes_openmp_threads_sleep(module):
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        cwd=REPO,
        env=environment_without_the_policy(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "PASSIVE"


def test_a_policy_the_operator_chose_is_kept():
    env = environment_without_the_policy() | {"OMP_WAIT_POLICY": "ACTIVE"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(module="htr")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "ACTIVE"
