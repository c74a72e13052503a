import os
import shutil
import threading
from pathlib import Path

import matplotlib
import pytest

from utils import paths
from utils.course import model

matplotlib.use("Agg")
# the kit's own language data, as the assignments use, whatever nltk_data this machine has
os.environ["WORDSNUMS_OFFLINE_NLP"] = "1"

ROOT = paths.course_root()
ASSIGNMENTS = model.assignments(ROOT)
SOURCE_NOTEBOOKS = [p for a in ASSIGNMENTS for p in model.notebooks(ROOT, a)]


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def offline_nlp(monkeypatch):
    """Force the kit's offline fallbacks, as on a machine without nltk_data."""
    monkeypatch.setenv("WORDSNUMS_OFFLINE_NLP", "1")


@pytest.fixture
def tmp_course(tmp_path) -> Path:
    """A scratch course folder holding a copy of source/ and the nbgrader config."""
    shutil.copytree(ROOT / "source", tmp_path / "source")
    shutil.copy2(ROOT / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    return tmp_path


def within(seconds: float, call):
    """call()'s result, failing (instead of hanging the suite) if it blocks, as opening a named pipe would."""
    result = []
    thread = threading.Thread(target=lambda: result.append(call()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "blocked: it must have opened a named pipe"
    return result[0]


@pytest.fixture(scope="session")
def student_image(tmp_path_factory) -> Path:
    """The student bundle, its Dockerfile run on the hub's environment (see student_image.py); yields the bundle."""
    from student_image import IMAGE_ENV, MISSING, build_image

    if not (IMAGE_ENV / "bin" / "jupyterhub-singleuser").exists() or not os.access(IMAGE_ENV, os.W_OK):
        pytest.skip(MISSING)
    return build_image(tmp_path_factory.getbasetemp() / "student-image")
