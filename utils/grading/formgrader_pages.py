"""The formgrader's own pages (nbgrader's .tpl list pages), in a Lab tab and in the course's words.

A Jupyter server extension, enabled by the kit's install (etc/jupyter/jupyter_server_config.d/): it loads after
nbgrader's formgrader (extensions load in name order) and puts a loader before the formgrader's templates that
serves them with a few edits. nbgrader's templates have no configuration for any of this, and copies of whole
templates would drift from nbgrader's; an edit whose text nbgrader no longer has fails loudly, naming it.

- The pages reflow in a Lab tab beside the file browser: the side menu goes on top, in a line, below 1200 px; a table
  still too wide scrolls on its own, so no column (Generate Feedback, Release Feedback) is cut off.
- Scores are named for this course: "Code Score" is the checks and the written answers (prose is a string in a
  code cell here); "Written Score" counts markdown answers, which this course has none of.
- "Current configuration" is indented JSON, with the server's token and any password hidden (an instructor may
  share a screen): nbgrader prints the server's whole configuration there, in one line when it is not JSON.
"""

import html
import json
import re

from jinja2 import BaseLoader
from traitlets.config import LazyConfigValue

STYLE = """<style type="text/css">
  .dataTables_wrapper { overflow-x: auto; }
  @media (max-width: 1199px) {
    .nav-stacked > li { float: left; }
    .nav-stacked > li + li { margin-top: 0; margin-left: 4px; }
    .nav-stacked { margin-bottom: 1em; }
  }
  pre.panel-body { white-space: pre-wrap; max-height: 32em; overflow-y: auto; }
</style>
"""
SCORES = [("Code Score", "Checks and Written Answers"), ("Written Score", "Markdown Answers")]
EDITS = {
    "base.tpl": [('<div class="col-md-2">\n        <ul class="nav nav-pills nav-stacked">',
                  '<div class="col-lg-2">\n        <ul class="nav nav-pills nav-stacked">'),
                 ('<div class="col-md-10">', '<div class="col-lg-10">'),
                 ("  {%- block head -%}", STYLE + "  {%- block head -%}")],
    "manage_assignments.tpl": [("{{ current_config }}", "{{ current_config | shown_config }}")],
    "gradebook_notebooks.tpl": [(f"Avg. {old}", f"Avg. {new}") for old, new in SCORES],
    "gradebook_notebook_submissions.tpl": SCORES,
    "manage_students_assignments.tpl": SCORES,
    "manage_students_notebook_submissions.tpl": SCORES,
}
HIDDEN = "(hidden)"
# a setting whose name says it holds a secret; and a password inside a URL ("://user:PASSWORD@host", up to the
# host's @, which comes last) or its query ("?password=...")
SECRET_KEY = re.compile(r"token|passw|pwd|secret|key|auth|credential|cookie", re.IGNORECASE)
URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)\S+@")
QUERY_PASSWORD = re.compile(r"([?&](?:password|passwd|pwd|token|key)=)[^&\s]*", re.IGNORECASE)


class TemplateChanged(RuntimeError):
    """An nbgrader template no longer holds the text the kit edits (a new nbgrader release)."""


class CoursePages(BaseLoader):
    """nbgrader's formgrader templates, from ``loader``, with the course's EDITS."""

    def __init__(self, loader: BaseLoader):
        self.loader = loader

    def get_source(self, environment, template):
        source, filename, uptodate = self.loader.get_source(environment, template)
        for old, new in EDITS.get(template, []):
            if old not in source:
                raise TemplateChanged(f"{filename or template} no longer holds {old!r}: update EDITS in "
                                      f"{__name__} for this nbgrader release")
            source = source.replace(old, new)
        return source, filename, uptodate

    def list_templates(self):
        return self.loader.list_templates()


def _unsecret(text: str) -> str:
    return QUERY_PASSWORD.sub(rf"\g<1>{HIDDEN}", URL_PASSWORD.sub(rf"\g<1>{HIDDEN}@", text))


def _plain(value):
    """A configuration value as JSON can hold it, secrets hidden (a whole section is shown, its settings judged
    one by one: nbgrader's Authenticator section holds no secret)."""
    if isinstance(value, dict):
        return {key: HIDDEN if SECRET_KEY.search(str(key)) and not isinstance(item, dict) else _plain(item)
                for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, LazyConfigValue):  # jupyter_server's extension list, merged from several files
        return _plain(value.to_dict())
    if isinstance(value, type):
        return f"{value.__module__}.{value.__qualname__}"
    if isinstance(value, str):
        return _unsecret(str(value))
    if value is None or isinstance(value, bool | int | float):
        return value
    return repr(value)


def shown_config(config) -> str:
    """The formgrader's configuration (nbgrader gives JSON text, or the Config it could not write) as indented
    JSON for the page, HTML-escaped, secrets hidden.

    >>> print(shown_config({"ServerApp": {"token": "abc"}, "CourseDirectory": {"db_url": "postgresql://ta:pw@db/x"}}))
    {
      "ServerApp": {
        "token": "(hidden)"
      },
      "CourseDirectory": {
        "db_url": "postgresql://ta:(hidden)@db/x"
      }
    }
    """
    if isinstance(config, str):
        try:
            config = json.loads(config)
        except ValueError:
            return html.escape(_unsecret(config), quote=False)
    return html.escape(json.dumps(_plain(config), indent=2), quote=False)  # inside <pre>


def _jupyter_server_extension_points():
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp) -> None:
    env = serverapp.web_app.settings.get("nbgrader_jinja2_env")
    if env is None:  # no formgrader on this server (a student's): nothing to edit
        return
    env.loader = CoursePages(env.loader)
    env.filters["shown_config"] = shown_config
    serverapp.log.info("Words and Numbers: the formgrader's pages in the course's words")
