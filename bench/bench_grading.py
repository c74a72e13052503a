"""Benchmark: grading a class with `wordsnums grade --jobs N` against plain sequential `nbgrader autograde`.

Run: .venv/bin/python bench/bench_grading.py [--students 30] [--jobs 2] [--assignments a1_close_reading ...]
     [--scaling 10 40]

Each run grades the same synthetic submissions (kinds full, partial, blank, wrong, tampered in turn) in
its own copy of the course, with its own gradebook:

* plain sequential `nbgrader autograde`, with the course's configuration (sandboxed kernels) and
  nbgrader's default configuration (no sandbox, none of the kit's plugins: nbgrader as it ships);
* the kit with warm kernels (each forked from a template that has imported the notebooks' libraries,
  its default), the kit with cold kernels (each a new Python, as nbgrader starts them), and the kit cold
  without the sandbox;
* with --scaling, the kit (warm) on 10 and 40 students of the first assignment: the cost per notebook
  must not grow with the class.

It checks that every score is identical across the runs with the course's configuration and names every
failed submission with the reason: a run with a failure is no valid measurement, and the script then exits
1. Times are wall-clock on this machine; the ratios are what to compare.
"""

import argparse
import shutil
import sys
import tempfile
import time
from itertools import cycle
from pathlib import Path

import papermill

from utils import paths
from utils.course import model, synthetic
from utils.grading import gradebook, parallel

DEFAULT_CONFIG = 'c = get_config()  # noqa\nc.CourseDirectory.course_id = "bench"\n'


def make_course(root: Path, target: Path, assignments: list[str], n_students: int, config: str | None = "") -> Path:
    """A course copy with a synthetic class; ``config`` is appended to the course's nbgrader_config.py, or,
    if None, replaces it with nbgrader's defaults (after release/ is generated with the course's)."""
    shutil.copytree(root / "source", target / "source")
    shutil.copy2(root / "nbgrader_config.py", target)
    with open(target / "nbgrader_config.py", "a") as handle:
        handle.write(config or "")
    kinds = cycle(synthetic.KINDS)
    students = {f"s{i:03d}": next(kinds) for i in range(n_students)}
    for assignment in assignments:
        model.generate_release(target, assignment)
        synthetic.write_class(target, assignment, students)
    if config is None:
        (target / "nbgrader_config.py").write_text(DEFAULT_CONFIG)
    return target


def all_scores(course_dir: Path, assignments: list[str]) -> dict:
    return {(a, r.student, r.notebook): r.score for a in assignments
            for r in gradebook.scores(course_dir, a).itertuples()}


def notebooks_in(course_dir: Path, assignments: list[str]) -> int:
    return sum(len(parallel.students(course_dir, a)) * len(model.notebooks(course_dir, a)) for a in assignments)


def papermill_seconds(root: Path, assignments: list[str], scratch: Path) -> float:
    """Mean time to execute each assignment's solution notebook once with papermill (a cold kernel)."""
    times = []
    for assignment in assignments:
        for path in model.notebooks(root, assignment):
            start = time.perf_counter()
            papermill.execute_notebook(str(path), str(scratch / path.name), cwd=str(path.parent),
                                       kernel_name="python3", progress_bar=False, log_output=False)
            times.append(time.perf_counter() - start)
    return sum(times) / len(times)


def sequential(course_dir: Path, assignments: list[str]) -> tuple[float, list]:
    """Plain `nbgrader autograde`, one assignment after another; failures from the gradebook's missing rows."""
    start = time.perf_counter()
    failed = []
    for a in assignments:
        run = model.run_nbgrader(["autograde", a, "--force"], cwd=course_dir, check=False)
        graded = set(gradebook.scores(course_dir, a)["student"])
        failed += [(a, s, f"not graded (nbgrader exit {run.returncode})")
                   for s in parallel.students(course_dir, a) if s not in graded]
    return time.perf_counter() - start, failed


def kit(course_dir: Path, assignments: list[str], jobs: int, warm: bool) -> tuple[float, list]:
    start = time.perf_counter()
    failed = [(a, o.student, o.message) for a in assignments
              for o in parallel.grade(course_dir, a, jobs=jobs, force=True, warm=warm) if o.status != "graded"]
    return time.perf_counter() - start, failed


def verdict(same: bool, failures: list) -> int:
    """Print whether the runs are a valid measurement (same scores, nothing failed); the exit code."""
    print(f"identical scores in every run: {same}; failed submissions: {len(failures)}")
    for run, assignment, student, message in failures:
        print(f"  failed in run {run}: {assignment}/{student}: {message}")
    if failures or not same:
        print("NOT A VALID MEASUREMENT: every submission must be graded, with the same scores in every run")
        return 1
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--assignments", nargs="*", default=None)
    parser.add_argument("--scaling", type=int, nargs="*", default=[], metavar="N",
                        help="also grade N students of the first assignment (warm) for each N, e.g. 10 40")
    args = parser.parse_args()
    root = paths.course_root()
    assignments = args.assignments or model.assignments(root)
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        courses = {name: make_course(root, tmp / name, assignments, args.students, config) for name, config in [
            ("sequential", ""), ("default", None), ("warm", ""), ("cold", ""),
            ("bare", '\nc.KitExecute.sandbox = "none"\n')]}
        n = notebooks_in(courses["sequential"], assignments)
        print(f"{args.students} students x {len(assignments)} assignments = {n} notebooks, {args.jobs} workers")

        def line(label: str, took: float, per_worker: bool = False):
            extra = f", {took * args.jobs / n:.2f} s per worker" if per_worker else ""
            print(f"  {label:<52}{took:7.1f} s  ({took / n:.2f} s per notebook{extra})", flush=True)

        times = {}
        for name, label, run in [
                ("sequential", "plain nbgrader autograde, sequential (course config)",
                 lambda c: sequential(c, assignments)),
                ("default", "plain nbgrader autograde, sequential (its defaults)",
                 lambda c: sequential(c, assignments)),
                ("warm", f"wordsnums grade --jobs {args.jobs} (warm kernels)",
                 lambda c: kit(c, assignments, args.jobs, True)),
                ("cold", "  the same with cold kernels", lambda c: kit(c, assignments, args.jobs, False)),
                ("bare", "  the same, cold, without the sandbox", lambda c: kit(c, assignments, args.jobs, False))]:
            times[name], failed = run(courses[name])
            line(label, times[name], per_worker=name in ("warm", "cold", "bare"))
            failures += [(name, *f) for f in failed]

        t_pm = papermill_seconds(root, assignments, tmp)
        print(f"  {'papermill, one cold execution per notebook':<52}{'':11}({t_pm:.2f} s per notebook)")
        scores = {name: all_scores(c, assignments) for name, c in courses.items()}
        same = all(scores[name] == scores["sequential"] for name in ("warm", "cold", "bare"))
        differ = sum(scores["default"].get(key) != value for key, value in scores["sequential"].items())
        print(f"  (nbgrader's defaults, without the kit's plugins, score {differ} of {n} notebooks differently)")
        for name in ("warm", "cold"):
            print(f"speed-up, kit {name} over sequential nbgrader: {times['sequential'] / times[name]:5.2f} x "
                  f"(over nbgrader's defaults: {times['default'] / times[name]:5.2f} x)")
        per_worker = times["warm"] * args.jobs / n
        print(f"warm worker per notebook: {per_worker:.2f} s = {per_worker / t_pm:.2f} x papermill (goal <= 1.0); "
              f"warm kernels save {(times['cold'] - times['warm']) * args.jobs / n:.2f} s per notebook per worker")
        sandbox = (times["cold"] - times["bare"]) * args.jobs / n
        print(f"the sandbox's cost per notebook per worker (cold): {sandbox:5.2f} s")

        if args.scaling:
            first = assignments[0]
            print(f"scaling, {first}, wordsnums grade --jobs {args.jobs} (warm):")
            for size in args.scaling:
                course = make_course(root, tmp / f"scale{size}", [first], size)
                took, failed = kit(course, [first], args.jobs, True)
                failures += [(f"scale{size}", *f) for f in failed]
                print(f"  {size:4d} students: {took:7.1f} s, {took * args.jobs / size:.2f} s per notebook per worker",
                      flush=True)

        return verdict(same, failures)


if __name__ == "__main__":
    sys.exit(main())
