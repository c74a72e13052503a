"""Extensions, the LMS export and a newcomer's first commands, run as `wordsnums` subprocesses on a copy of the
course (slow), as an instructor runs them; and the extensions file's own rules (fast)."""

import csv
from datetime import datetime

import pytest
from nbgrader.api import Gradebook
from test_cli import A1, copy_course, wordsnums

from utils.course import model, synthetic
from utils.grading import extensions, gradebook
from utils.instructor import cli

# one xdist worker runs the module, so the graded term below is made once (make test: --dist loadgroup)
pytestmark = pytest.mark.xdist_group("lms_and_extensions")

DUE = datetime(2026, 2, 1, 17, 0)
LATE = "2026-02-02 23:00:00.000000 UTC"  # 30 hours after DUE: two started days, 20% off
STUDENTS = """student_id,lms_id,first_name,last_name,email,section
ada,9001,Ada,Lovelace,ada@example.edu,S1
ben,9002,Ben,Okri,ben@example.edu,S1
cy,9003,Cy,Twombly,cy@example.edu,S2
zoe,9004,Zoe,Never,zoe@example.edu,S2
"""


def run(capsys, *args):
    """A command run in this process (what it refuses needs no new Python): its exit code, stdout and stderr."""
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def penalty(course, student):
    with Gradebook(gradebook.gradebook_url(course)) as gb:
        return gb.find_submission(A1, student).late_submission_penalty or 0.0


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    """A1 due DUE; ada on time, ben and cy 30 hours late, all with full marks; ben given two days before grading."""
    course = copy_course(tmp_path_factory.mktemp("course"))
    model.generate_release(course, A1)
    with Gradebook(gradebook.gradebook_url(course)) as gb:
        gb.update_or_create_assignment(A1, duedate=DUE)
    synthetic.write_class(course, A1, {"ada": "full", "ben": "full", "cy": "full"})
    for student in ("ben", "cy"):
        (course / "submitted" / student / A1 / "timestamp.txt").write_text(LATE)
    granted = wordsnums("extension", A1, "--course", course, "--student", "ben", "--days", "2", "--reason",
                        "illness, note from the office")
    graded = wordsnums("grade", A1, "--course", course, "--jobs", "2")
    (course / "students.csv").write_text(STUDENTS)
    return course, granted, graded


@pytest.mark.slow
def test_an_extension_given_before_grading_is_applied_and_logged(term):
    course, granted, graded = term
    assert granted.returncode == 0, granted.stderr
    assert "ben: an extension of 48 hours, due 2026-02-03 17:00 UTC; not graded yet" in granted.stdout
    assert (course / "extensions.csv").read_text().splitlines() == [
        "assignment,student_id,extension_hours,reason", f'{A1},ben,48,"illness, note from the office"']
    assert graded.returncode == 0, graded.stderr
    assert "NOTE ben: an extension of 48 hours: due 2026-02-03 17:00 UTC" in graded.stdout
    with open(course / "grading_log" / f"{A1}.csv", newline="") as handle:
        notes = {row["student"]: row["notes"] for row in csv.DictReader(handle)}
    assert "an extension of 48 hours" in notes["ben"] and "hours late" not in notes["ben"]
    assert "30.0 hours late: a penalty of 3.40 of 17.00 points" in notes["cy"]
    assert (penalty(course, "ben"), penalty(course, "cy")) == (0.0, pytest.approx(3.4))


@pytest.mark.slow
def test_an_extension_after_grading_changes_the_penalty_at_once_and_regrades_next_time(term):
    course, _, _ = term
    result = wordsnums("extension", A1, "--course", course, "--student", "cy", "--until", "2026-02-03 00:00")
    assert result.returncode == 0, result.stderr
    assert "cy: an extension of 31 hours, due 2026-02-03 00:00 UTC; late penalty 3.40 -> 0.00 points" in result.stdout
    assert penalty(course, "cy") == 0.0
    listed = wordsnums("extension", A1, "--course", course)
    assert listed.stdout.splitlines()[1:] == ["  ben: 48 hours (illness, note from the office)", "  cy: 31 hours"]
    regraded = wordsnums("grade", A1, "--course", course)
    assert f"{A1}: 1 graded, 2 skipped (unchanged), 0 failed" in regraded.stdout, regraded.stdout
    assert penalty(course, "cy") == 0.0
    taken_back = wordsnums("extension", A1, "--course", course, "--student", "cy", "--remove")
    assert "cy: no extension, due 2026-02-01 17:00 UTC; late penalty 0.00 -> 3.40 points" in taken_back.stdout
    assert penalty(course, "cy") == pytest.approx(3.4)


@pytest.mark.slow
@pytest.mark.parametrize("args, words", [
    (["--student", "bne", "--days", "1"], "no student 'bne' in the gradebook or in"),
    (["--student", "ben"], "say how long: --hours N, --days N or --until"),
    (["--student", "ben", "--until", "2026-01-30 12:00"], "is not after the due date of a1_close_reading"),
    (["--student", "ben", "--until", "next friday"], "is not a date and time: give 'YYYY-MM-DD HH:MM'"),
    (["--student", "ben", "--hours", "0"], "gives no more time"),
])
def test_an_extension_that_cannot_be_given_is_refused_with_the_fix(term, capsys, args, words):
    course, _, _ = term
    before = (course / "extensions.csv").read_text()
    code, _, err = run(capsys, "extension", A1, "--course", course, *args)
    assert code == 2 and words in err, err
    assert len(err.strip().splitlines()) == 1
    assert (course / "extensions.csv").read_text() == before


@pytest.mark.slow
def test_the_export_shows_each_students_due_date_and_extension(term, tmp_path):
    course, _, _ = term
    result = wordsnums("export", "--course", course, "--to", tmp_path / "grades.csv")
    assert result.returncode == 0, result.stderr
    rows = {row["student_id"]: row for row in csv.DictReader((tmp_path / "grades.csv").open())}
    assert (rows["ben"]["duedate"], rows["ben"]["extension_hours"], rows["ben"]["late_penalty"]) == (
        "2026-02-03 17:00:00", "48.0", "0.0")
    assert (rows["ada"]["duedate"], rows["ada"]["extension_hours"]) == ("2026-02-01 17:00:00", "0.0")


@pytest.mark.slow
@pytest.mark.parametrize("fmt, header", [
    ("canvas", ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", A1]),
    ("moodle", ["First name", "Last name", "ID number", "Email address", A1]),
])
def test_the_lms_export_writes_the_import_file_with_the_final_scores(term, tmp_path, fmt, header):
    course, _, _ = term
    out = tmp_path / f"{fmt}.csv"
    result = wordsnums("export", "--course", course, "--format", fmt, "--students", course / "students.csv",
                       "--to", out)
    assert result.returncode == 0, result.stderr
    assert f"grades: {out} (a {fmt} gradebook import file)" in result.stdout
    lines = list(csv.reader(out.open()))
    assert lines[0] == header
    by_id = {line[header.index("ID" if fmt == "canvas" else "ID number")]: line[-1] for line in lines[1:]}
    cy = f"{17 - penalty(course, 'cy'):.1f}"
    assert by_id == {"9001": "17.0", "9002": "17.0", "9003": cy, "9004": ""} | (
        {"": "24.0"} if fmt == "canvas" else {})  # Points Possible: 24 with the manual points; zoe never submitted
    if fmt == "canvas":
        assert lines[1][0] == "Points Possible" and lines[2][0] == "Lovelace, Ada"


@pytest.mark.slow
def test_plain_nbgrader_export_writes_the_same_canvas_file(term, tmp_path):
    course, _, _ = term
    kit, plain = tmp_path / "kit.csv", tmp_path / "plain.csv"
    assert wordsnums("export", "--course", course, "--format", "canvas", "--students", course / "students.csv",
                     "--to", kit).returncode == 0
    model.run_nbgrader(["export", "--to", str(plain), "--KitCsvExport.format=canvas",
                        f"--KitCsvExport.student_map={course / 'students.csv'}"], cwd=course)
    assert plain.read_text() == kit.read_text()


@pytest.mark.slow
@pytest.mark.parametrize("change, args, words", [
    ("unmapped", [], "the student map has no line for 1 student(s) in the gradebook: cy. Add a line for each"),
    ("no map", ["--students", "missing.csv"], "no student map"),
    ("none given", None, "a canvas file needs --students FILE"),
    ("no folder", ["--to", "no/such/folder/grades.csv"], "there is no folder"),
])
def test_a_bad_export_says_what_to_fix_in_one_line_and_writes_nothing(term, tmp_path, capsys, monkeypatch, change,
                                                                      args, words):
    course, _, _ = term
    (tmp_path / "partial.csv").write_text("\n".join(line for line in STUDENTS.splitlines() if not
                                                    line.startswith("cy,")) + "\n")
    out = tmp_path / "canvas.csv"
    given = ["--students", tmp_path / "partial.csv", "--to", out] if args == [] else (
        args + ["--students", course / "students.csv"] if change == "no folder" else
        [] if args is None else [*args, "--to", out])
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "export", "--course", course, "--format", "canvas", *given)
    assert code == 2 and words in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()


@pytest.mark.slow
def test_grading_before_the_first_build_says_to_build(tmp_path):
    """A fresh clone: release/ is committed, but the gradebook does not hold the assignment until a build."""
    course = copy_course(tmp_path)
    (course / "submitted" / "ada" / A1).mkdir(parents=True)
    (course / "submitted" / "ada" / A1 / f"{A1}.ipynb").write_bytes(
        (course / "release" / A1 / f"{A1}.ipynb").read_bytes())
    result = wordsnums("grade", A1, "--course", course)
    assert result.returncode == 2
    assert result.stderr.strip() == (f"wordsnums grade: the gradebook does not hold {A1} yet (its notebooks and "
                                     f"tests): run `wordsnums build {A1}` first; nothing graded")
    assert not (course / "autograded").exists()


@pytest.mark.slow
def test_report_and_export_before_any_grade_say_so_in_one_line(tmp_path):
    course = copy_course(tmp_path)
    model.generate_release(course, A1)
    report = wordsnums("report", A1, "--course", course, "--out", tmp_path / "reports")
    assert report.returncode == 1 and report.stderr.strip() == (
        f"wordsnums report: no graded submissions of {A1} yet: run wordsnums grade first")
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("text, words", [
    ("assignment,student_id\na,b\n", "has no column extension_hours"),
    ("assignment,student_id,extension_hours\na,b,two days\n", "line 2: extension_hours is 'two days'"),
    ("assignment,student_id,extension_hours\na,,4\n", "line 2: give both an assignment and a student_id"),
])
def test_a_hand_edited_extensions_file_with_a_mistake_is_named(tmp_path, text, words):
    (tmp_path / extensions.FILE).write_text(text)
    with pytest.raises(extensions.ExtensionFileError, match=words):
        extensions.read(tmp_path)
