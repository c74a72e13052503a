"""The course's exchange when nobody names one: its own exchange/ folder, never over a hub's setting."""

import shutil

import pytest
from conftest import ROOT
from traitlets.config import PyFileConfigLoader

from utils.grading import exchange


def config_folder(tmp_path, name: str, text: str):
    folder = tmp_path / name
    folder.mkdir()
    (folder / ("nbgrader_config.json" if text.startswith("{") else "nbgrader_config.py")).write_text(text)
    return str(folder)


def test_a_course_with_no_exchange_named_gets_its_own_folder(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    elsewhere = config_folder(tmp_path, "user", "c = get_config()\nc.CourseDirectory.course_id = 'x'\n")
    assert exchange.default_root(course, folders=[elsewhere, str(tmp_path / "missing")]) == str(course / "exchange")
    assert (course / "exchange").is_dir()
    assert exchange.default_root(course, folders=[]) == str(course / "exchange")  # once made, the same


@pytest.mark.parametrize("text", ["c = get_config()\nc.Exchange.root = '/hub/exchange'\n",
                                  '{"Exchange": {"root": "/hub/exchange"}}'])
def test_a_hub_setting_in_a_jupyter_config_folder_stands(tmp_path, text):
    course = tmp_path / "course"
    course.mkdir()
    assert exchange.default_root(course, folders=[config_folder(tmp_path, "hub", text)]) is None
    assert not (course / "exchange").exists()


def test_nbgrader_default_folder_stands_once_made(tmp_path, monkeypatch):
    course = tmp_path / "course"
    course.mkdir()
    monkeypatch.setattr(exchange, "NBGRADER_DEFAULT", tmp_path)  # stands for /srv/nbgrader/exchange
    assert exchange.default_root(course, folders=[]) is None


def test_where_the_folder_cannot_be_made_nbgrader_setting_stands(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    (course / "exchange").write_text("a file, not a folder")
    assert exchange.default_root(course, folders=[]) is None


def test_the_course_config_sets_its_exchange_and_reads_not_itself(tmp_path, monkeypatch):
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy2(ROOT / "nbgrader_config.py", course)
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(course))  # the course's folder as a config folder too
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "user"))
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    assert config.Exchange.root == str(course / "exchange")

    hub = config_folder(tmp_path, "hub", "c = get_config()\nc.Exchange.root = '/hub/exchange'\n")
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", hub)
    assert "root" not in PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config().Exchange
