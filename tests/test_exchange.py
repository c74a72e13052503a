"""The course's exchange when nobody names one: its own exchange/ folder, never over a hub's setting.

nbgrader's /srv/nbgrader/exchange stands for a folder of the test's own in each test, and the Jupyter config
folders searched are given, so that a hub's real configuration on this machine changes nothing here.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from traitlets.config import PyFileConfigLoader

from utils.course import model
from utils.grading import exchange

HUB = "c = get_config()\nc.Exchange.root = '/hub/exchange'\n"


@pytest.fixture(autouse=True)
def no_site_exchange(tmp_path, monkeypatch):
    monkeypatch.setattr(exchange, "NBGRADER_DEFAULT", tmp_path / "srv-nbgrader-exchange")


@pytest.fixture
def course(tmp_path):
    folder = tmp_path / "course"
    folder.mkdir()
    shutil.copy2(ROOT / "nbgrader_config.py", folder)
    return folder


def config_folder(tmp_path, name: str, text: str):
    folder = tmp_path / name
    folder.mkdir()
    (folder / ("nbgrader_config.json" if text.startswith("{") else "nbgrader_config.py")).write_text(text)
    return str(folder)


def load(course):
    return PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()


def test_a_course_with_no_exchange_named_gets_its_own_folder(tmp_path, course):
    elsewhere = config_folder(tmp_path, "user", "c = get_config()\nc.CourseDirectory.course_id = 'x'\n")
    assert exchange.default_root(course, folders=[elsewhere, str(tmp_path / "missing")]) == str(course / "exchange")
    assert (course / "exchange").is_dir()
    assert exchange.default_root(course, folders=[]) == str(course / "exchange")  # once made, the same


@pytest.mark.parametrize("text", [HUB, '{"Exchange": {"root": "/hub/exchange"}}'])
def test_a_hub_setting_in_a_jupyter_config_folder_stands(tmp_path, course, text):
    assert exchange.default_root(course, folders=[config_folder(tmp_path, "hub", text)]) is None
    assert not (course / "exchange").exists()


def test_nbgrader_default_folder_stands_once_made(course):
    exchange.NBGRADER_DEFAULT.mkdir()
    assert exchange.default_root(course, folders=[]) is None


def test_where_the_folder_cannot_be_made_nbgrader_setting_stands(course):
    (course / "exchange").write_text("a file, not a folder")
    assert exchange.default_root(course, folders=[]) is None


def test_a_broken_config_elsewhere_does_not_stop_the_course_config(tmp_path, course):
    broken = config_folder(tmp_path, "user", '{"Exchange": ')
    assert exchange.default_root(course, folders=[broken]) == str(course / "exchange")


def test_the_course_config_sets_its_exchange_unless_it_names_one_itself(tmp_path, course, monkeypatch):
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "user"))
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(tmp_path / "none"))
    assert load(course).Exchange.root == str(course / "exchange")

    text = (course / "nbgrader_config.py").read_text()  # a line above the course's default, as a hub's README says
    (course / "nbgrader_config.py").write_text(text.replace("c.CourseDirectory.course_id =",
                                                            "c.Exchange.root = '/mine'\nc.CourseDirectory.course_id ="))
    assert load(course).Exchange.root == "/mine"

    monkeypatch.setenv("JUPYTER_CONFIG_PATH", config_folder(tmp_path, "hub", HUB))
    (course / "nbgrader_config.py").write_text(text)
    assert "root" not in load(course).Exchange


@pytest.mark.parametrize("how", ["link", "copy"])
def test_the_course_config_in_a_jupyter_config_folder_neither_loops_nor_moves_the_exchange(tmp_path, course,
                                                                                          monkeypatch, how):
    user = tmp_path / "user"
    user.mkdir()
    if how == "link":
        (user / "nbgrader_config.py").symlink_to(course / "nbgrader_config.py")
    else:
        shutil.copy2(course / "nbgrader_config.py", user)
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(user))
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(tmp_path / "none"))
    assert load(course).Exchange.root == str(course / "exchange")  # read from the course: its own folder
    assert "root" not in load(user).Exchange  # read as the user's config: not a course, nbgrader's default
    assert not (user / "exchange").exists()


def test_plain_nbgrader_releases_and_lists_through_the_course_exchange(tmp_path):
    """A real nbgrader run, with no config of this machine's: the course's exchange/ gets the release."""
    course = tmp_path / "course"
    shutil.copytree(ROOT / "source" / "a1_close_reading", course / "source" / "a1_close_reading")
    shutil.copy2(ROOT / "nbgrader_config.py", course)
    if exchange.named_elsewhere(course) or Path("/srv/nbgrader/exchange").is_dir():  # the real one, not patched
        pytest.skip("this machine has a site-wide exchange, which the course rightly uses")
    model.generate_release(course, "a1_close_reading")
    env = model.nbgrader_env() | {"JUPYTER_CONFIG_DIR": str(tmp_path / "user")}
    for args in (["release_assignment", "a1_close_reading"], ["list"]):
        run = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True,
                             text=True)
        said = run.stdout + run.stderr
        assert run.returncode == 0 and "Unwritable directory" not in said, said
    assert (course / "exchange" / "words-and-numbers" / "outbound" / "a1_close_reading").is_dir()
    assert "words-and-numbers a1_close_reading" in said
