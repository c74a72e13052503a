"""The benchmark scripts run (on small inputs: the figures come from running them by hand)."""

import subprocess
import sys

import pytest
from conftest import ROOT


def test_rhetoric_benchmark_runs_small():
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_rhetoric.py"), "--tokens", "20000"],
                         capture_output=True, text=True, check=True).stdout
    assert "speed-up keyness" in out and "speed-up collocates" in out and "KWIC hits" in out


@pytest.mark.slow
def test_grading_benchmark_runs_small():
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_grading.py"), "--students", "1",
                          "--jobs", "2", "--assignments", "a1_close_reading", "--scaling", "1", "2"],
                         capture_output=True, text=True, check=True).stdout
    assert "identical scores in every run: True; failed submissions: 0" in out
    for words in ("(course config)", "(its defaults)", "(warm kernels)", "with cold kernels", "without the sandbox",
                  "speed-up, kit warm over sequential nbgrader", "x papermill", "the sandbox's cost per notebook",
                  "   1 students:", "   2 students:"):
        assert words in out, words


@pytest.mark.slow
def test_cluster_benchmark_runs_small():
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_cluster.py"), "--students", "1",
                          "--assignments", "a1_close_reading", "--workers", "1", "--project", "100"],
                         capture_output=True, text=True, check=True).stdout
    assert "identical scores in every run: True; failed submissions: 0" in out
    for words in ("local, wordsnums grade --jobs 2", "Dask, 1 worker(s)", "ms per submission)",
                  "projection, 100 students x 1 assignments = 100 notebooks", "   8 workers:", " 512 workers:"):
        assert words in out, words


@pytest.mark.slow
def test_similarity_benchmark_runs_small():
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_similarity.py"), "--students", "100",
                          "--copies", "3"], capture_output=True, text=True, check=True).stdout
    assert "8 planted pairs" in out and "planted pairs in the top 50: 8 of 8" in out and "peak memory" in out


@pytest.mark.slow
def test_report_benchmark_runs_small():
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_report.py"), "--bytes", "50000", "--runs", "1"],
                         capture_output=True, text=True, check=True).stdout
    assert "text: 50,000 bytes; A transcript:" in out and "1 runs:" in out and "output notebook:" in out
