"""Folders a command makes and may later replace: only one holding its marker file, so nothing else is deleted."""

import shutil
from pathlib import Path


def remake(folder: Path, marker: str, made_by: str, refused: Exception) -> Path:
    """An empty ``folder`` with ``marker`` in it; an earlier one made by ``made_by`` is replaced.

    Raises ``refused`` if ``folder`` exists without the marker: it was not made by the command.
    """
    if folder.exists():
        if not (folder / marker).is_file():
            raise refused
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / marker).write_text(f"made by {made_by}; safe to delete\n")
    return folder
