"""The benchmark scripts run (on a small corpus: figures come from running them by hand)."""

import subprocess
import sys

from conftest import ROOT


def test_rhetoric_benchmark_runs_small():
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_rhetoric.py"), "--tokens", "20000"],
                         capture_output=True, text=True, check=True).stdout
    assert "speed-up keyness" in out and "speed-up collocates" in out and "KWIC hits" in out
