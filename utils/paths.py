"""Where the course's folders are.

The kit runs from a checkout (``pip install -e .``), so the course root is the folder
above this package. ``WORDSNUMS_ROOT`` points elsewhere, for a copy of the course. The student
library installed from the student bundle (``wordsnums bundle``) has no course folder: its data
comes inside the package.
"""

import os
from pathlib import Path


class CourseNotFound(FileNotFoundError):
    """The course folders (data/, source/) could not be found."""


def course_root() -> Path:
    """The course folder: the one holding data/, source/ and release/."""
    env = os.environ.get("WORDSNUMS_ROOT")
    root = Path(env) if env else Path(__file__).resolve().parent.parent
    if not (root / "data").is_dir():
        raise CourseNotFound(
            f"No data/ folder in {root}. Install the kit from a checkout of the course "
            "(pip install -e .) or set WORDSNUMS_ROOT to the course folder."
        )
    return root


# the student bundle's wheel carries the course data here
BUNDLED_DATA = Path(__file__).resolve().parent / "data" / "course"


def data_dir() -> Path:
    """The course data: data/ of the course folder, or the student bundle's copy inside the package."""
    try:
        return course_root() / "data"
    except CourseNotFound:
        if BUNDLED_DATA.is_dir():
            return BUNDLED_DATA
        raise


def raw_scrape_path() -> Path:
    return data_dir() / "raw" / "000_16cbea11877d3c4f.txt"


def texts_dir() -> Path:
    return data_dir() / "texts"
