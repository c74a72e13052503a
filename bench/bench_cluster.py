"""Benchmark: grading a class on a Dask cluster of one and two workers against local grading, in the same run.

Run: .venv/bin/python bench/bench_cluster.py [--students 10] [--jobs 2] [--workers 1 2] [--assignments ...]
     [--project 2000]

Each run grades the same synthetic class (bench_grading.py's) in its own copy of the course: `wordsnums
grade --jobs N` on local workers, then on a Dask LocalCluster of each number of worker processes (one thread
each, warm kernels, the sandbox). It checks that every score is identical across the runs and that nothing
failed, and times the instructor's side alone: writing each result into the course and its gradebook, which
one process does for the whole cluster.

From the measured cost per notebook per Dask worker, it projects the time to grade ``--project`` students x
the assignments' notebooks on N workers: notebooks x cost / N, unless the writer is slower (submissions x its
cost per submission); a worker needs one core and about 1 GiB.
"""

import argparse
import functools
import sys
import tempfile
import time
from pathlib import Path

from bench_grading import all_scores, make_course, notebooks_in, verdict
from distributed import LocalCluster

from utils import paths
from utils.course import model
from utils.grading import parallel, remote

PROJECTED_WORKERS = (8, 32, 128, 512)


def timed_writes(spent: list[float]):
    """remote.Writer.write, adding the seconds each call takes to ``spent`` (the writer's share of a run)."""
    write = remote.Writer.write

    @functools.wraps(write)
    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return write(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    return timed


def graded(course: Path, assignments: list[str], **where) -> tuple[float, list]:
    start = time.perf_counter()
    failed = [(a, o.student, o.message) for a in assignments
              for o in parallel.grade(course, a, force=True, **where) if o.status != "graded"]
    return time.perf_counter() - start, failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=2, help="local workers of the local run")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="Dask worker processes, per run")
    parser.add_argument("--assignments", nargs="*", default=None)
    parser.add_argument("--project", type=int, default=2000, help="students in the projection")
    args = parser.parse_args()
    root = paths.course_root()
    assignments = args.assignments or model.assignments(root)
    failures, spent = [], []
    remote.Writer.write = timed_writes(spent)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        runs = {"local": make_course(root, tmp / "local", assignments, args.students)}
        n = notebooks_in(runs["local"], assignments)
        print(f"{args.students} students x {len(assignments)} assignments = {n} notebooks")
        took, failed = graded(runs["local"], assignments, jobs=args.jobs)
        failures += [("local", *f) for f in failed]
        print(f"  {f'local, wordsnums grade --jobs {args.jobs}':<40}{took:7.1f} s  ({took / n:.2f} s per notebook, "
              f"{took * args.jobs / n:.2f} s per notebook per worker, {60 * n / took:.1f} notebooks a minute)",
              flush=True)
        per_worker, writer = {}, {}
        for workers in args.workers:
            course = runs[f"dask{workers}"] = make_course(root, tmp / f"dask{workers}", assignments, args.students)
            start = time.perf_counter()
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                              dashboard_address=None) as cluster:
                up = time.perf_counter() - start
                spent.clear()
                took, failed = graded(course, assignments, scheduler=cluster.scheduler_address)
            failures += [(f"dask{workers}", *f) for f in failed]
            per_worker[workers] = took * workers / n
            writer[workers] = sum(spent) / max(len(spent), 1)
            print(f"  {f'Dask, {workers} worker(s)':<40}{took:7.1f} s  ({took / n:.2f} s per notebook, "
                  f"{per_worker[workers]:.2f} s per notebook per worker, {60 * n / took:.1f} notebooks a minute; "
                  f"cluster up in {up:.1f} s; the writer {sum(spent):.1f} s, "
                  f"{1000 * sum(spent) / max(len(spent), 1):.0f} ms per submission)", flush=True)
        scores = {name: all_scores(course, assignments) for name, course in runs.items()}
        same = all(found == scores["local"] for found in scores.values())

        # the run with the fewest workers: no two share a core, nor the writer one with them (as on a cluster,
        # where the instructor's process has its machine to itself)
        cost, write = per_worker[min(per_worker)], writer[min(writer)]
        notebooks = args.project * sum(len(model.notebooks(root, a)) for a in assignments)
        submissions = args.project * len(assignments)
        print(f"projection, {args.project} students x {len(assignments)} assignments = {notebooks} notebooks, at "
              f"{cost:.2f} s per notebook per worker and {1000 * write:.0f} ms per submission for the writer:")
        for workers in PROJECTED_WORKERS:
            seconds = max(notebooks * cost / workers, submissions * write)
            bound = "the writer" if submissions * write > notebooks * cost / workers else "the workers"
            print(f"  {workers:4d} workers: {seconds / 60:7.1f} min ({bound} set the pace)")

        return verdict(same, failures)


if __name__ == "__main__":
    sys.exit(main())
