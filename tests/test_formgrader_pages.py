"""The formgrader's list pages with the course's edits (utils/grading/formgrader_pages.py), on nbgrader's own
templates and on small fixtures."""

import html
import json
import re
import subprocess
import sys

import pytest
from jinja2 import DictLoader, Environment, FileSystemLoader
from nbgrader.server_extensions.formgrader import handlers
from traitlets.config import Config

from utils.grading.formgrader_pages import EDITS, STYLE, CoursePages, TemplateChanged, shown_config


def course_pages() -> Environment:
    return Environment(loader=CoursePages(FileSystemLoader([handlers.template_path])))


@pytest.mark.parametrize("name", sorted(EDITS))
def test_every_edit_finds_its_text_in_nbgrader_templates(name):
    source, _, _ = course_pages().loader.get_source(course_pages(), name)
    assert "Code Score" not in source and "Written Score" not in source
    for _, new in EDITS[name]:
        assert new in source


def test_the_list_pages_fit_a_lab_tab_and_name_the_course_scores():
    env = course_pages()
    page = env.get_template("gradebook_notebook_submissions.tpl").render(base_url="", assignment_id="a1",
                                                                         notebook_id="a1")
    assert STYLE.strip() in page and '<div class="col-lg-10">' in page  # the side menu goes on top below 1200 px
    assert '<th class="text-center">Checks and Written Answers</th>' in page
    assert '<th class="text-center">Markdown Answers</th>' in page
    untouched = env.get_template("base_403.tpl").render(base_url="")
    assert "Code Score" not in untouched and STYLE.strip() in untouched  # every page extends base.tpl


def test_a_template_nbgrader_changed_fails_naming_the_edit():
    env = Environment(loader=CoursePages(DictLoader({"base.tpl": "<html>a new nbgrader's page</html>"})))
    with pytest.raises(TemplateChanged, match=r"base.tpl no longer holds .*update EDITS"):
        env.get_template("base.tpl")


def test_the_configuration_panel_is_indented_json_without_secrets():
    config = Config({"IdentityProvider": {"token": "s3cret"}, "ServerApp": {"port": 8888}})
    config.ServerApp.jpserver_extensions.update({"nbgrader.server_extensions.formgrader": True})  # lazy: merged
    config.CourseDirectory.db_url = "postgresql+psycopg://grader:pa55@db.example/course"
    config.Autograde.exporter_class = Config  # a class, as a course config may still give one
    shown = json.loads(shown_config(config))
    assert shown["IdentityProvider"] == {"token": "(hidden)"}
    assert shown["ServerApp"]["jpserver_extensions"] == {"update": {"nbgrader.server_extensions.formgrader": True}}
    assert shown["CourseDirectory"]["db_url"] == "postgresql+psycopg://grader:(hidden)@db.example/course"
    assert shown["Autograde"]["exporter_class"] == "traitlets.config.loader.Config"
    assert "s3cret" not in shown_config(config) and "pa55" not in shown_config(config)
    # nbgrader's own JSON text, when it could write one, is shown the same way
    assert json.loads(shown_config(json.dumps({"A": {"api_token": "x", "n": 1}}))) == {"A": {"api_token": "(hidden)",
                                                                                          "n": 1}}
    assert shown_config("<b>") == "&lt;b&gt;"  # text that is not JSON is escaped


@pytest.mark.parametrize(("key", "value", "shown"), [
    ("api_key", "k-123", "(hidden)"),
    ("cookie_secret_file", "/srv/secret", "(hidden)"),
    ("url", "redis://:pw@cache:6379/0", "redis://:(hidden)@cache:6379/0"),
    ("url", "postgresql://ta:p@ss@db/course", "postgresql://ta:(hidden)@db/course"),
    ("url", "postgresql://db/course?user=ta&password=pw&sslmode=require",
     "postgresql://db/course?user=ta&password=(hidden)&sslmode=require"),
    ("timeout", 120, 120),
])
def test_secrets_are_hidden_wherever_a_setting_holds_them(key, value, shown):
    page = shown_config(Config({"Section": {key: value}}))  # HTML: & is written &amp;
    assert json.loads(html.unescape(page)) == {"Section": {key: shown}}


def test_a_section_whose_name_sounds_secret_is_shown_setting_by_setting():
    shown = json.loads(shown_config(Config({"Authenticator": {"plugin_class": "x.Y", "token": "t"}})))
    assert shown == {"Authenticator": {"plugin_class": "x.Y", "token": "(hidden)"}}


def test_the_kits_install_enables_the_extension():
    listed = subprocess.run([sys.executable, "-m", "jupyter_server", "extension", "list"], capture_output=True,
                            text=True)
    said = re.sub(r"\x1b\[[0-9;]*m", "", listed.stdout + listed.stderr)  # without its colours
    assert "utils.grading.formgrader_pages enabled" in said and "utils.grading.formgrader_pages  OK" in said, said
