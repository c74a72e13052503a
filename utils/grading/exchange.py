"""Where nbgrader's exchange is when nobody has said: the course's own folder, for one instructor on one machine.

nbgrader's default, /srv/nbgrader/exchange, is a hub's shared folder that an administrator makes. Without it the
formgrader warns on every page and logs "Unwritable directory" for each request, and release and collect fail.
"""

from pathlib import Path

from jupyter_core.paths import jupyter_config_path
from traitlets.config import JSONFileConfigLoader, PyFileConfigLoader

NBGRADER_DEFAULT = Path("/srv/nbgrader/exchange")
CONFIG_FILES = (("nbgrader_config.py", PyFileConfigLoader), ("nbgrader_config.json", JSONFileConfigLoader))
_reading = False  # a config folder's nbgrader_config.py may be (or link to) the course's, which calls this


def named_elsewhere(course: Path, folders: list[str] | None = None) -> bool:
    """Whether an nbgrader_config.py or .json in Jupyter's config folders (~/.jupyter, /etc/jupyter,
    JUPYTER_CONFIG_PATH: a hub's course-wide config) sets ``Exchange.root``. The course's own config is not
    read (it calls this), nor a file nbgrader could not load either."""
    global _reading
    own = (course / "nbgrader_config.py").resolve()
    _reading = True
    try:
        for folder in jupyter_config_path() if folders is None else folders:
            for name, loader in CONFIG_FILES:
                path = Path(folder) / name
                if not path.is_file() or path.resolve() == own:
                    continue
                try:
                    config = loader(name, path=folder).load_config()
                except Exception:  # nbgrader logs such a file and goes on without it; so does this
                    continue
                if "root" in config.get("Exchange", {}):
                    return True
        return False
    finally:
        _reading = False


def default_root(course: Path, folders: list[str] | None = None) -> str | None:
    """The exchange a course uses when no config names one and nbgrader's default folder does not exist: the
    course's ``exchange/`` (made here, so the formgrader finds it before the first release); else None, and
    nbgrader's own setting stands. So too for a config that sits in a Jupyter config folder (a copy of the
    course's there is not a course), while another config is being read, or where the folder cannot be made."""
    searched = [Path(f).resolve() for f in (jupyter_config_path() if folders is None else folders)]
    if _reading or course.resolve() in searched or NBGRADER_DEFAULT.is_dir() or named_elsewhere(course, folders):
        return None
    root = course / "exchange"
    try:
        root.mkdir(exist_ok=True)
    except OSError:
        return None
    return str(root)
