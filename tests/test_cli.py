"""The instructor's commands, run for real as subprocesses on a temporary copy of the course (slow), and what
`wordsnums grade` refuses before it grades anything (fast, in this process)."""

import csv
import json
import shutil
import subprocess
import sys

import nbformat
import pandas as pd
import pytest
from conftest import ROOT

from utils.course import model, synthetic
from utils.grading import gradebook, parallel
from utils.instructor import cli, demo

A1 = "a1_close_reading"
COMMANDS = ["texts", "build", "check", "grade", "feedback", "export", "extension", "report", "similarity", "demo",
            "bundle"]


def wordsnums(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "utils.instructor.cli", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True)


def copy_course(target):
    for folder in ("source", "release", ".wordsnums"):
        shutil.copytree(ROOT / folder, target / folder)
    shutil.copy2(ROOT / "nbgrader_config.py", target)
    return target


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    result = wordsnums(command, "--help")
    assert result.returncode == 0 and "usage: wordsnums" in result.stdout


@pytest.mark.slow
def test_build_refuses_to_overwrite_hand_edits(tmp_path):
    root = copy_course(tmp_path)
    release = root / "release" / A1 / f"{A1}.ipynb"
    release.write_text(release.read_text().replace("Close reading of a diplomatic transcript", "Edited by hand"))
    refused = wordsnums("build", A1, "--course", root)
    assert refused.returncode == 1 and f"refused {A1}" in refused.stderr and f"{A1}.ipynb" in refused.stderr
    assert "Edited by hand" in release.read_text()
    forced = wordsnums("build", A1, "--course", root, "--force")
    assert forced.returncode == 0 and f"released {A1}" in forced.stdout
    assert "Edited by hand" not in release.read_text()
    assert wordsnums("build", A1, "--course", root).returncode == 0  # nothing edited since: builds again


@pytest.mark.slow
def test_check_lists_problems_and_fails(tmp_path):
    root = copy_course(tmp_path)
    clean = wordsnums("check", A1, "--course", root)
    assert clean.returncode == 0 and "The course is clean" in clean.stdout
    source = root / "source" / A1 / f"{A1}.ipynb"
    nb = json.loads(source.read_text())
    nb["cells"][4]["metadata"]["nbgrader"]["locked"] = False  # q1_test
    source.write_text(json.dumps(nb))
    broken = wordsnums("check", A1, "--course", root)
    assert broken.returncode == 1
    assert "(q1_test): a test cell must be locked" in broken.stdout
    assert "differs from nbgrader's output" in broken.stdout and "problem(s)" in broken.stdout


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A course with three submissions (full, blank, broken), graded once by `wordsnums grade`."""
    root = copy_course(tmp_path_factory.mktemp("course"))
    model.generate_release(root, A1)
    synthetic.write_class(root, A1, {"full": "full", "blank": "blank"})
    broken = root / "submitted" / "broken" / A1
    broken.mkdir(parents=True)
    (broken / f"{A1}.ipynb").write_text("{ not a notebook")
    result = wordsnums("grade", A1, "--course", root, "--jobs", "2")
    return root, result


@pytest.mark.slow
def test_grade_in_parallel_reports_the_broken_submission_and_grades_the_others(graded):
    root, result = graded
    assert result.returncode == 1
    assert "2 graded, 0 skipped (unchanged), 1 failed" in result.stdout
    broken = root / "submitted" / "broken" / A1 / f"{A1}.ipynb"
    assert f"FAILED broken: {broken}: not a notebook: broken JSON" in result.stdout
    log = pd.read_csv(root / "grading_log" / f"{A1}.csv").set_index("student")
    assert log["status"].to_dict() == {"blank": "graded", "broken": "failed", "full": "graded"}
    workers = (root / "grading_log" / f"{A1}.log").read_text()  # nbgrader's own log of every submission
    assert workers.count("==> worker for ") == 2 and "Autograding" in workers and "broken JSON" in workers
    scores = gradebook.scores(root, A1).set_index("student")["score"]
    assert scores["full"] == 17 and scores["blank"] == 0


@pytest.mark.slow
def test_grade_skips_unchanged_and_regrades_changed(graded):
    root, _ = graded
    again = wordsnums("grade", A1, "--course", root)
    assert "0 graded, 2 skipped (unchanged), 1 failed" in again.stdout
    submitted = root / "submitted" / "blank" / A1 / f"{A1}.ipynb"
    source = nbformat.read(root / "source" / A1 / f"{A1}.ipynb", as_version=4)
    release = nbformat.read(root / "release" / A1 / f"{A1}.ipynb", as_version=4)
    nbformat.write(synthetic.submission("partial", source, release), submitted)  # a resubmission
    changed = wordsnums("grade", A1, "--course", root)
    assert "1 graded, 1 skipped (unchanged), 1 failed" in changed.stdout
    assert gradebook.scores(root, A1).set_index("student").loc["blank", "score"] == 10


@pytest.mark.slow
def test_grade_only_the_students_asked_for(graded):
    root, _ = graded
    both = wordsnums("grade", A1, "--course", root, "--student", "blank", "--student", "full")
    assert both.returncode == 0, both.stdout + both.stderr
    assert "0 graded, 2 skipped (unchanged), 0 failed" in both.stdout  # the broken one is not asked for
    one = wordsnums("grade", A1, "--course", root, "--student", "full", "--force")
    assert one.returncode == 0, one.stdout + one.stderr
    assert "1 graded, 0 skipped (unchanged), 0 failed" in one.stdout
    assert pd.read_csv(root / "grading_log" / f"{A1}.csv")["student"].tolist() == ["full"]
    assert gradebook.scores(root, A1).set_index("student").loc["full", "score"] == 17


@pytest.mark.slow
def test_grade_refuses_fewer_than_one_job(tmp_path):
    root = copy_course(tmp_path)
    shutil.copytree(root / "release" / A1, root / "submitted" / "ada" / A1)
    result = wordsnums("grade", A1, "--course", root, "--jobs", "0")
    assert result.returncode == 2 and result.stdout == ""
    assert "argument --jobs: 0 graders cannot grade anything: give 1 or more" in result.stderr
    assert not (root / "autograded").exists() and not (root / "grading_log").exists()


@pytest.fixture
def small_class(tmp_path):
    """A course folder with (empty) submissions of A1 by four students, for what the command refuses at once."""
    (tmp_path / "source" / A1).mkdir(parents=True)
    shutil.copy2(ROOT / "nbgrader_config.py", tmp_path)
    for student in ("ada", "ben", "cy", "dee"):
        (tmp_path / "submitted" / student / A1).mkdir(parents=True)
    return tmp_path


def test_grade_refuses_an_unknown_student_and_grades_no_one(small_class, capsys):
    root = small_class
    assert cli.main(["grade", A1, "--course", str(root), "--student", "ada", "--student", "zed"]) == 2
    assert capsys.readouterr().err == (f"wordsnums grade: no submission of {A1} from zed in {root / 'submitted'}; "
                                       "nothing graded\n")
    assert not (root / "autograded").exists() and not (root / "grading_log").exists()


@pytest.mark.parametrize("jobs", ["0", "-3", "two"])
def test_grade_refuses_jobs_below_one(small_class, capsys, jobs):
    root = small_class
    with pytest.raises(SystemExit) as stop:
        cli.main(["grade", A1, "--course", str(root), "--jobs", jobs])
    assert stop.value.code == 2 and "wordsnums grade: error: argument --jobs: " in capsys.readouterr().err
    assert not (root / "autograded").exists() and not (root / "grading_log").exists()


@pytest.mark.slow
def test_feedback_shows_results_but_no_hidden_tests(graded):
    root, _ = graded
    result = wordsnums("feedback", A1, "--course", root, "--allow-pending")
    assert result.returncode == 0 and "feedback files" in result.stdout
    html = (root / "feedback" / "blank" / A1 / f"{A1}.html").read_text()
    assert "hidden tests ran here at grading" in html
    assert "BEGIN HIDDEN TESTS" not in html and "n_nbsp == 8" not in html and "[6, 8, 1, 0, 4]" not in html
    assert len(html) < 1_000_000


@pytest.mark.slow
def test_export_has_autograded_manual_and_late_columns(graded, tmp_path):
    root, _ = graded
    out = tmp_path / "grades.csv"
    assert wordsnums("export", "--course", root, "--to", out).returncode == 0
    rows = {r["student_id"]: r for r in csv.DictReader(out.open())}
    assert {"autograded", "manual", "late_penalty", "score", "max_score"} <= set(rows["full"])
    assert float(rows["full"]["autograded"]) == 17 and float(rows["full"]["late_penalty"]) == 0


@pytest.mark.slow
def test_report_writes_item_analysis_plots_and_summary(graded, tmp_path):
    root, _ = graded
    result = wordsnums("report", A1, "--course", root, "--out", tmp_path)
    assert result.returncode == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"{A1}_distribution.png", f"{A1}_items.csv", f"{A1}_items.png", f"{A1}_report.md"]
    summary = (tmp_path / f"{A1}_report.md").read_text()
    assert "![Histogram of the total scores" in summary and "| q1_test |" in summary


@pytest.mark.slow
def test_demo_refuses_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "precious.txt").write_text("keep me")
    result = wordsnums("demo", A1, "--course", copy_course(tmp_path / "course"), "--dir", tmp_path)
    assert result.returncode == 2 and "is not a demo folder" in result.stderr
    assert (tmp_path / "precious.txt").read_text() == "keep me"


@pytest.mark.slow
def test_demo_runs_a_term_through_the_exchange(tmp_path):
    root = copy_course(tmp_path / "course")
    result = wordsnums("demo", A1, "--course", root, "--dir", tmp_path / "demo", "--jobs", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    for student, kind in [("ada", "full"), ("ben", "partial"), ("fay", "late"), ("gus", "broken")]:
        assert f"{student:<5} {kind:<9}" in result.stdout
    assert result.stdout.count("  ok") == len(demo.TERM_CLASS)
    assert "late penalty  1.7, score  15.30" in result.stdout
    for folder in ("exchange", "submitted", "autograded", "feedback", "reports"):
        assert (tmp_path / "demo" / folder).is_dir()


def test_many_students_failed_for_one_reason_make_one_failed_line():
    lost = "not graded: the connection to the Dask scheduler at tcp://10.0.0.5:8786 was lost"
    failed = [parallel.Outcome(f"s{i}", "failed", 0.0, lost) for i in range(5)]
    failed.append(parallel.Outcome("ada", "failed", 0.0, "broken"))
    assert cli._failed_lines(failed) == [f"  FAILED 5 students (s0, s1, s2 and 2 more): {lost}", "  FAILED ada: broken"]
    assert cli._failed_lines(failed[:3]) == [f"  FAILED s{i}: {lost}" for i in range(3)]
