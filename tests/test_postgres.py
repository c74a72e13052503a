"""The gradebook on a real PostgreSQL server (``CourseDirectory.db_url``): the demo term graded there with the sqlite
run's scores, `wordsnums gradebook copy` from sqlite row for row, and an unreachable server reported in one line."""

import shutil
from datetime import timedelta

import pytest
from nbgrader.api import Gradebook
from postgres_server import PASSWORD, PostgresServer, missing
from sqlalchemy import create_engine
from test_browser import free_port
from test_cli import copy_course, wordsnums

from utils.course import model, synthetic
from utils.grading import gradebook, gradebook_copy
from utils.instructor import cli, demo

A1 = "a1_close_reading"
pytestmark = pytest.mark.filterwarnings("ignore:Object of type:sqlalchemy.exc.SAWarning")  # nbgrader's own


@pytest.fixture(scope="module")
def server():
    """One server for the module, a database per test; stopped at the end even when a test fails."""
    if why := missing():
        pytest.skip(why)
    pg = PostgresServer()
    try:
        yield pg.start()
    finally:
        pg.stop()


def point_at(course, url):
    """Set the course's gradebook to ``url``, as an instructor would in nbgrader_config.py."""
    with open(course / "nbgrader_config.py", "a") as config:
        config.write(f"\nc.CourseDirectory.db_url = {url!r}\n")


def run(capsys, *args):
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def row_counts(url):
    engine = create_engine(url)
    try:
        return gradebook_copy.row_counts(engine)
    finally:
        engine.dispose()


def test_the_url_comes_from_the_course_config(tmp_course, tmp_path):
    assert gradebook.gradebook_url(tmp_course) == f"sqlite:///{tmp_course}/gradebook.db?timeout=60"
    assert gradebook.gradebook_path(tmp_course) == tmp_course / "gradebook.db"
    assert gradebook.gradebook_url(tmp_path / "nowhere") == f"sqlite:///{tmp_path}/nowhere/gradebook.db?timeout=60"
    point_at(tmp_course, "sqlite:///grades/term.db")
    assert gradebook.gradebook_url(tmp_course) == f"sqlite:///{tmp_course}/grades/term.db?timeout=60"
    url = "postgresql+psycopg://ta:s3cret@db.example.org:5432/wn"
    point_at(tmp_course, url)
    assert gradebook.gradebook_url(tmp_course) == url and gradebook.gradebook_path(tmp_course) is None
    assert gradebook.has_gradebook(tmp_course)
    assert gradebook.shown_url(url) == "postgresql+psycopg://ta:***@db.example.org:5432/wn"


@pytest.mark.parametrize("command", ["grade", "export", "report", "build", "feedback"])
def test_an_unreachable_server_is_one_line_with_the_fix(tmp_course, capsys, command):
    # a port nobody listens on: the connection is refused at once
    point_at(tmp_course, f"postgresql+psycopg://kit:{PASSWORD}@127.0.0.1:{free_port()}/grades")
    extra = {"grade": [A1], "export": ["--to", tmp_course / "grades.csv"], "report": [A1, "--out", tmp_course / "r"],
             "build": [A1], "feedback": [A1]}
    code, out, err = run(capsys, command, *extra[command], "--course", tmp_course)
    assert code == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"wordsnums {command}: the gradebook's database postgresql+psycopg://kit:***@127.0.0.1:")
    assert PASSWORD not in err and "Connection refused" in err
    assert f"Start the database server, or correct c.CourseDirectory.db_url in {tmp_course}/nbgrader_config.py" in err
    assert not (tmp_course / "gradebook.db").exists() and not (tmp_course / "grades.csv").exists()


@pytest.mark.slow
def test_the_demo_term_grades_on_postgres_as_on_sqlite(server, tmp_path):
    url = server.create_database("demo")
    root, folder = copy_course(tmp_path / "course"), tmp_path / "demo"
    production = server.create_database("production")
    point_at(root, production)  # the course's own gradebook: the demo builds release/ there, and grades elsewhere
    result = wordsnums("demo", A1, "--course", root, "--dir", folder, "--jobs", "2", "--db-url", url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("  ok") == len(demo.TERM_CLASS)  # each score against what the student must get
    assert "late penalty  1.7, score  15.30" in result.stdout
    assert f"gradebook              postgresql+psycopg://kit:***@127.0.0.1:{server.port}/demo" in result.stdout
    assert PASSWORD not in result.stdout + result.stderr
    assert not (folder / "gradebook.db").exists()
    with Gradebook(url, course_id="") as gb:
        graded = {sub.student.id: sub for sub in gb.find_assignment(A1).submissions}
        assert set(graded) == set(demo.TERM_CLASS) - {"gus"}  # gus's notebook is broken
        assert graded["ada"].score == 17 and graded["cy"].score == 0
        assert graded["fay"].late_submission_penalty == pytest.approx(1.7)
    assert row_counts(production)["student"] == row_counts(production)["submitted_assignment"] == 0


@pytest.mark.slow
def test_gradebook_copy_moves_every_row_to_postgres(server, tmp_path, capsys):
    root = copy_course(tmp_path / "course")
    model.generate_release(root, A1)
    synthetic.write_class(root, A1, {"full": "full", "blank": "blank"})
    assert run(capsys, "grade", A1, "--course", root, "--jobs", "2")[0] == 0
    sqlite_url = gradebook.gradebook_url(root)
    with Gradebook(sqlite_url) as gb:  # what only a person enters: a manual score and comment, an extension
        gb.find_grade("q12_paragraph", A1, A1, "full").manual_score = 3.5
        gb.find_grade("q13_evasion", A1, A1, "full").extra_credit = 0.5
        gb.find_comment("q12_paragraph", A1, A1, "full").manual_comment = "Quote the second turn, too."
        gb.find_submission(A1, "blank").extension = timedelta(days=2)
        gb.db.commit()
    assert run(capsys, "export", "--course", root, "--to", tmp_path / "before.csv")[0] == 0
    scores, counts = gradebook.scores(root, A1), row_counts(sqlite_url)
    assert counts["submitted_assignment"] == 2 and counts["comment"] > 0

    url = server.create_database("copy")
    code, out, err = run(capsys, "gradebook", "copy", "--course", root, "--to", url)
    assert code == 0, err
    assert row_counts(url) == counts
    for table, rows in counts.items():
        assert f"  {table:<22} {rows:>7} rows\n" in out
    assert f'c.CourseDirectory.db_url = "postgresql+psycopg://kit:***@127.0.0.1:{server.port}/copy"' in out
    assert PASSWORD not in out

    code, out, err = run(capsys, "gradebook", "copy", "--course", root, "--to", url)
    assert code == 2 and out == ""
    assert err == (f"wordsnums gradebook copy: postgresql+psycopg://kit:***@127.0.0.1:{server.port}/copy already "
                   "holds a gradebook (2 submission(s)): nothing copied. Copy into a new, empty database (or drop "
                   "this one's tables first)\n")

    shutil.move(gradebook.gradebook_path(root), tmp_path / "sqlite.db")  # nothing read from it by mistake
    point_at(root, url)
    assert gradebook.gradebook_url(root) == url
    assert gradebook.scores(root, A1).equals(scores)
    with Gradebook(url, course_id="") as gb:
        assert gb.find_grade("q12_paragraph", A1, A1, "full").manual_score == 3.5
        assert gb.find_grade("q13_evasion", A1, A1, "full").extra_credit == 0.5
        assert gb.find_comment("q12_paragraph", A1, A1, "full").manual_comment == "Quote the second turn, too."
        assert gb.find_submission(A1, "blank").extension == timedelta(days=2)
    assert run(capsys, "export", "--course", root, "--to", tmp_path / "after.csv")[0] == 0
    assert (tmp_path / "after.csv").read_text() == (tmp_path / "before.csv").read_text()
