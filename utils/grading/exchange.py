"""Where nbgrader's exchange is when nobody has said: the course's own folder, for one instructor on one machine.

nbgrader's default, /srv/nbgrader/exchange, is a hub's shared folder that an administrator makes. Without it the
formgrader warns on every page and logs "Unwritable directory" for each request, and release and collect fail.
"""

from pathlib import Path

from jupyter_core.paths import jupyter_config_path
from traitlets.config import ConfigFileNotFound, JSONFileConfigLoader, PyFileConfigLoader

NBGRADER_DEFAULT = Path("/srv/nbgrader/exchange")


def named_elsewhere(course: Path, folders: list[str] | None = None) -> bool:
    """Whether an nbgrader_config.py or .json in Jupyter's config folders (~/.jupyter, /etc/jupyter,
    JUPYTER_CONFIG_PATH: a hub's course-wide config) sets ``Exchange.root``. The course's own folder is not
    read: its config calls this."""
    for folder in jupyter_config_path() if folders is None else folders:
        if Path(folder).resolve() == course.resolve():
            continue
        for loader in (PyFileConfigLoader, JSONFileConfigLoader):
            name = "nbgrader_config.py" if loader is PyFileConfigLoader else "nbgrader_config.json"
            try:
                config = loader(name, path=folder).load_config()
            except ConfigFileNotFound:
                continue
            if "root" in config.get("Exchange", {}):
                return True
    return False


def default_root(course: Path, folders: list[str] | None = None) -> str | None:
    """The exchange a course uses when no config names one and nbgrader's default folder does not exist: the
    course's ``exchange/`` (made here, so the formgrader finds it before the first release); else None, and
    nbgrader's own setting stands (so too where that folder cannot be made, as in a read-only copy)."""
    if named_elsewhere(course, folders) or NBGRADER_DEFAULT.is_dir():
        return None
    root = course / "exchange"
    try:
        root.mkdir(exist_ok=True)
    except OSError:
        return None
    return str(root)
