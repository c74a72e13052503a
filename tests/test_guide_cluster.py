"""The instructor guide's recipes for grading on a Dask cluster: the worker image, the Dask Helm chart's values
(checked against the keys of the chart's values.yaml, dask/helm-chart, appVersion 2025.11.0) and the SLURM
script (run with dask-jobqueue, up to the job script it would submit)."""

import re

import nbformat
import yaml
from conftest import ROOT
from dask_jobqueue import SLURMCluster

GUIDE = ROOT / "notebooks" / "instructor_guide.ipynb"
HEADING = "## Grading a class of thousands on a Dask cluster"
# the keys of dask/helm-chart's dask/values.yaml that the guide may set
CHART_KEYS = {"scheduler.image.repository", "scheduler.image.tag", "scheduler.serviceType",
              "worker.image.repository", "worker.image.tag", "worker.replicas", "worker.threads_per_worker",
              "worker.resources.limits.cpu", "worker.resources.limits.memory", "worker.resources.requests.cpu",
              "worker.resources.requests.memory", "jupyter.enabled"}


def section() -> str:
    cells = [cell.source for cell in nbformat.read(GUIDE, as_version=4).cells]
    starts = [i for i, source in enumerate(cells) if source.startswith(HEADING)]
    assert len(starts) == 1, f"the guide should have one cell starting {HEADING!r}"
    return cells[starts[0]]


def block(language: str) -> str:
    blocks = re.findall(rf"^```{language}\n(.*?)^```", section(), re.S | re.M)
    assert len(blocks) == 1, f"one ```{language} block expected, found {len(blocks)}"
    return blocks[0]


def flat(mapping: dict, prefix: str = "") -> dict:
    found = {}
    for key, value in mapping.items():
        found |= flat(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}": value}
    return found


def test_the_helm_values_are_the_charts_with_one_thread_per_worker_and_the_kits_image_everywhere():
    values = flat(yaml.safe_load(block("yaml")))
    assert set(values) <= CHART_KEYS, set(values) - CHART_KEYS
    assert values["worker.threads_per_worker"] == 1 and values["worker.resources.limits.cpu"] == 1
    assert values["scheduler.image.repository"] == values["worker.image.repository"]
    assert values["scheduler.image.tag"] == values["worker.image.tag"]
    assert values["scheduler.serviceType"] == "ClusterIP" and values["jupyter.enabled"] is False


def test_the_worker_image_holds_the_kit_but_no_solution():
    dockerfile = block("dockerfile")
    copied = [part for line in dockerfile.splitlines() if line.startswith("COPY ")
              for part in line.split()[1:-1]]
    assert sorted(copied) == ["README.md", "data", "pyproject.toml", "utils"]
    assert all((ROOT / part).exists() for part in copied)
    assert "bubblewrap" in dockerfile and "pip install --no-cache-dir -e /opt/words-and-numbers" in dockerfile
    # the chart runs dask-worker and dask-scheduler (see the values' keys above)
    assert 'exec dask worker "$@"' in dockerfile and 'exec dask scheduler "$@"' in dockerfile


def test_the_slurm_script_makes_one_single_threaded_worker_per_job():
    script = block("python")
    call = re.search(r"^cluster = SLURMCluster\((.*)\)$", script, re.M)
    assert call, "the script should make its cluster with SLURMCluster(...)"
    kwargs = eval(f"dict({call.group(1)})")  # the guide's own arguments, as written
    # here, the scheduler listens on the loopback only (on a login node, the nodes must reach it)
    cluster = SLURMCluster(**kwargs, scheduler_options={"host": "127.0.0.1"})
    try:
        job = cluster.job_script()
    finally:
        cluster.close()
    assert "#SBATCH --cpus-per-task=1" in job and "--nthreads 1" in job and "--memory-limit" in job
    assert "cluster.scale(jobs=" in script and "--scheduler" in script and "cluster.close()" in script
