"""The main job: build release/ and grade a synthetic class with nbgrader's own commands."""

import shutil
from pathlib import Path

import pandas as pd

from utils import course, grading, synthetic

DEMO_CLASS = {"ada": "full", "ben": "partial", "cy": "blank", "dee": "wrong", "eve": "tampered"}


def prepare_course(root: Path, workdir: Path) -> Path:
    """A fresh course folder in ``workdir`` with root's source/ and config (old runs removed)."""
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    shutil.copytree(root / "source", workdir / "source")
    shutil.copy2(root / "nbgrader_config.py", workdir / "nbgrader_config.py")
    return workdir


def grade_class(workdir: Path, assignment: str, students: dict[str, str], jobs: int | None = None) -> pd.DataFrame:
    """Generate, submit a synthetic class, autograde in parallel; expected and actual scores side by side."""
    course.generate_release(workdir, assignment)
    expected = synthetic.write_class(workdir, assignment, students)
    failed = [o for o in grading.grade(workdir, assignment, jobs=jobs) if o.status == "failed"]
    if failed:
        raise RuntimeError(f"grading failed for {', '.join(f'{o.student} ({o.message})' for o in failed)}")
    actual = grading.scores(workdir, assignment)
    return expected.merge(actual, on=["student", "assignment", "notebook"], how="left")
