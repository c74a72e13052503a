"""The student bundle: what a student's machine or a hub's single-user image needs, and nothing of the grading.

``wordsnums bundle --out DIR`` writes DIR/ with the release notebooks, the course data, the orientation
notebook, ``wheels/`` (the student library as a wheel: the top level of :mod:`utils` and the course data
inside it, no :mod:`utils.course`, :mod:`utils.grading` or :mod:`utils.instructor`), ``requirements.txt``
(the library's dependencies and nbgrader, at the versions the kit was tested with) and a ``Dockerfile``
for a JupyterHub single-user image that installs the wheel with ``pip install --no-index``. source/, its
solutions and hidden tests, and the instructor's guide stay behind.
"""

import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

import utils
from utils.instructor import folders

DIST = "words-and-numbers-student"
MARKER = ".wordsnums-bundle"  # only a folder with this file is replaced by a new bundle
STUDENT_ROOMS = ("course", "grading", "instructor")  # subpackages of utils that stay out of the bundle
# what the student library imports beyond the standard library, and nbgrader for the assignment list
REQUIREMENTS = ("pandas", "numpy", "matplotlib", "nltk", "vaderSentiment", "nbgrader")
IMAGE_DIR = "/opt/words-and-numbers"  # where the image keeps the release notebooks and the orientation

DOCKERFILE = """\
# The students' single-user image for JupyterHub: JupyterLab, nbgrader's assignment list, the course's
# library and data. It holds no solution, no hidden test and no grading code.
#   docker build -t words-and-numbers-student:{version} .
FROM quay.io/jupyter/minimal-notebook:python-3.11
COPY requirements.txt /tmp/bundle/requirements.txt
RUN pip install --no-cache-dir -r /tmp/bundle/requirements.txt
COPY wheels/ /tmp/bundle/wheels/
RUN pip install --no-cache-dir --no-index --find-links /tmp/bundle/wheels {dist} && rm -rf /tmp/bundle
# students list, fetch and submit assignments; they neither create assignments nor open the formgrader
RUN jupyter server extension disable --sys-prefix nbgrader.server_extensions.formgrader \\
 && jupyter labextension disable --level=sys_prefix @jupyter/nbgrader:formgrader \\
 && jupyter labextension disable --level=sys_prefix @jupyter/nbgrader:create-assignment
COPY release/ {image_dir}/release/
COPY orientation.ipynb {image_dir}/orientation.ipynb
"""

PYPROJECT = """\
[build-system]
requires = ["setuptools>=70.1"]
build-backend = "setuptools.build_meta"

[project]
name = "{dist}"
version = "{version}"
description = "Words and Numbers: the library students import in the course's notebooks, with the course data"
requires-python = ">=3.11"
dependencies = {dependencies}

[tool.setuptools]
packages = ["utils", "utils.data"]

[tool.setuptools.package-data]
"utils.data" = ["*.txt", "course/**/*"]
"""

README = """\
# Words and Numbers: the student bundle

- `release/`: the assignments' notebooks, as students get them (on a hub, nbgrader's Assignments tab fetches them).
- `orientation.ipynb`: start here.
- `wheels/`: the course's library with its data. Install it in the environment your notebooks run in:
  `pip install -r requirements.txt`, then `pip install --no-index --find-links wheels {dist}`.
- `Dockerfile`: the single-user image for a JupyterHub: `docker build -t words-and-numbers-student:{version} .`
"""


class NotABundleFolder(RuntimeError):
    """The bundle was pointed at a folder that it did not make."""


def student_modules() -> list[Path]:
    """The student library's modules: the top level of the utils package."""
    return sorted(Path(utils.__file__).parent.glob("*.py"))


def requirements() -> list[str]:
    """The bundle's requirements, pinned to the versions installed here (those the kit was tested with)."""
    return [f"{name}=={metadata.version(name)}" for name in REQUIREMENTS]


def _library_sources(root: Path, staging: Path) -> None:
    """The student library's source tree in ``staging``: utils' top level, its data, the course data inside it."""
    package = staging / "utils"
    package.mkdir(parents=True)
    for module in student_modules():
        shutil.copy2(module, package / module.name)
    shutil.copytree(Path(utils.__file__).parent / "data", package / "data",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    # utils.paths finds the data here when there is no course folder around the package
    shutil.copytree(root / "data", package / "data" / "course")
    deps = [name for name in requirements() if not name.startswith("nbgrader")]
    (staging / "pyproject.toml").write_text(PYPROJECT.format(dist=DIST, version=utils.__version__,
                                                             dependencies=deps))


def build_wheel(root: Path, out: Path) -> Path:
    """Build the student library's wheel into ``out`` with setuptools, offline; returns the wheel."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wordsnums-bundle-") as tmp:
        staging = Path(tmp) / "src"
        _library_sources(root, staging)
        proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                               "--no-index", "--quiet", "--wheel-dir", str(out), str(staging)],
                              capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"building the student wheel failed (setuptools 70.1 or newer is needed in {sys.prefix}):"
                           f"\n{proc.stdout}{proc.stderr}")
    return next(out.glob(f"{DIST.replace('-', '_')}-{utils.__version__}-*.whl"))


def write_bundle(root: Path, out: Path) -> Path:
    """Write the student bundle of the course at ``root`` into ``out``; returns ``out``.

    An earlier bundle in ``out`` is replaced; a folder that exists and is no bundle is refused.
    """
    folders.remake(out, MARKER, "wordsnums bundle",
                   NotABundleFolder(f"{out} exists and is not a student bundle; choose a new folder with --out."))
    shutil.copytree(root / "release", out / "release", ignore=shutil.ignore_patterns(".*"))
    shutil.copytree(root / "data", out / "data")
    shutil.copy2(root / "notebooks" / "orientation.ipynb", out / "orientation.ipynb")
    build_wheel(root, out / "wheels")
    (out / "requirements.txt").write_text("\n".join(requirements()) + "\n")
    (out / "Dockerfile").write_text(DOCKERFILE.format(version=utils.__version__, dist=DIST, image_dir=IMAGE_DIR))
    (out / "README.md").write_text(README.format(version=utils.__version__, dist=DIST))
    return out
