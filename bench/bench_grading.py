"""Benchmark: grading a class with `wordsnums grade --jobs N` against plain sequential `nbgrader autograde`.

Run: .venv/bin/python bench/bench_grading.py [--students 30] [--jobs 2] [--assignments a1_close_reading ...]

Each run grades the same synthetic submissions (kinds full, partial, blank, wrong, tampered in
turn) in its own copy of the course, with its own gradebook: plain sequential nbgrader, the kit, and
the kit with the sandbox switched off. The script checks that every score is identical, then prints
the times, the speed-up, the sandbox's cost per notebook, and the cost per notebook against
executing the same notebook once with papermill.
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


def make_course(root: Path, target: Path, assignments: list[str], n_students: int, config: str = "") -> Path:
    shutil.copytree(root / "source", target / "source")
    shutil.copy2(root / "nbgrader_config.py", target)
    with open(target / "nbgrader_config.py", "a") as handle:
        handle.write(config)
    kinds = cycle(synthetic.KINDS)
    students = {f"s{i:03d}": next(kinds) for i in range(n_students)}
    for assignment in assignments:
        model.generate_release(target, assignment)
        synthetic.write_class(target, assignment, students)
    return target


def all_scores(course_dir: Path, assignments: list[str]) -> dict:
    return {(a, r.student, r.notebook): r.score for a in assignments
            for r in gradebook.scores(course_dir, a).itertuples()}


def papermill_seconds(root: Path, assignments: list[str], scratch: Path) -> float:
    """Mean time to execute each assignment's solution notebook once with papermill."""
    times = []
    for assignment in assignments:
        for path in model.notebooks(root, assignment):
            start = time.perf_counter()
            papermill.execute_notebook(str(path), str(scratch / path.name), cwd=str(path.parent),
                                       kernel_name="python3", progress_bar=False, log_output=False)
            times.append(time.perf_counter() - start)
    return sum(times) / len(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--assignments", nargs="*", default=None)
    args = parser.parse_args()
    root = paths.course_root()
    assignments = args.assignments or model.assignments(root)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        seq = make_course(root, tmp / "sequential", assignments, args.students)
        par = make_course(root, tmp / "parallel", assignments, args.students)
        bare = make_course(root, tmp / "unsandboxed", assignments, args.students,
                           '\nc.KitExecute.sandbox = "none"\n')
        n = sum(len(parallel.students(seq, a)) * len(model.notebooks(seq, a)) for a in assignments)
        print(f"{args.students} students x {len(assignments)} assignments = {n} notebooks")

        start = time.perf_counter()
        for a in assignments:
            model.run_nbgrader(["autograde", a, "--force"], cwd=seq)
        t_seq = time.perf_counter() - start
        print(f"plain nbgrader autograde, sequential:   {t_seq:7.1f} s  ({t_seq / n:.2f} s per notebook)")

        def kit(course_dir: Path, label: str) -> tuple[float, list]:
            start = time.perf_counter()
            failed = [(a, o.student, o.message) for a in assignments
                      for o in parallel.grade(course_dir, a, jobs=args.jobs, force=True) if o.status != "graded"]
            took = time.perf_counter() - start
            print(f"{label:<40}{took:7.1f} s  ({took / n:.2f} s per notebook)")
            return took, failed

        t_par, failed = kit(par, f"wordsnums grade --jobs {args.jobs}:")
        t_bare, failed_bare = kit(bare, "the same without the sandbox:")
        sandbox = (t_par - t_bare) * args.jobs / n
        share = sandbox / (t_par * args.jobs / n)
        print(f"the sandbox's cost per notebook per worker: {sandbox:5.2f} s = {share:.1%} of its grading time "
              "(goal < 10%)")

        same = all_scores(seq, assignments) == all_scores(par, assignments) == all_scores(bare, assignments)
        t_pm = papermill_seconds(root, assignments, tmp)
        per_notebook = t_par * args.jobs / n  # the time one worker spends on one notebook
        print(f"papermill, one execution per notebook:  {t_pm:7.2f} s")
        print(f"speed-up:                      {t_seq / t_par:5.2f} x (goal >= 1.7)")
        print(f"cost per notebook per worker:  {per_notebook:5.2f} s = {per_notebook / t_pm:.2f} x papermill "
              "(goal <= 1.3)")
        print(f"identical scores: {same}; failed submissions: {len(failed)}")
        for assignment, student, message in failed + failed_bare:
            print(f"  failed: {assignment}/{student}: {message}")
        return 0 if same and not failed and not failed_bare else 1


if __name__ == "__main__":
    sys.exit(main())
