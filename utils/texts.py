"""The course texts: the raw scrape, the cleaned texts, their metadata, and speaker turns."""

import re
from pathlib import Path

import pandas as pd

from utils import nlp, paths, transcripts
from utils.files import Advice, read_utf8

MAX_TEXT_BYTES = 5_000_000  # about 800,000 words: far beyond a speech or an article


class TextFileError(ValueError):
    """A text file cannot be read as an English text; the message names the file and the fix."""

TEXT_IDS = {"a": "text_a", "b": "text_b"}
TURN_COLUMNS = ["turn", "speaker", "role", "paragraph", "text"]


def _text_id(name: str) -> str:
    key = name.lower().removeprefix("text_").removeprefix("text ")
    if key not in TEXT_IDS:
        raise KeyError(f"Unknown text {name!r}: use 'a' (the transcript) or 'b' (the op-ed).")
    return TEXT_IDS[key]


def load_raw() -> str:
    """The raw web scrape, exactly as supplied (both texts, with all artefacts).

    >>> raw = load_raw()
    >>> raw.startswith("June 10, 2022")
    True
    """
    return paths.raw_scrape_path().read_bytes().decode("utf-8")


def load_text(name: str) -> str:
    """A cleaned course text: ``"a"`` for the transcript, ``"b"`` for the op-ed.

    Paragraphs are separated by a blank line. See :func:`edit_log` for every change
    made to the raw scrape.

    >>> text_a = load_text("a")
    >>> text_a.split("\\n\\n")[0][:33]
    'The CSTO Council of Foreign Minis'
    """
    return (paths.texts_dir() / f"{_text_id(name)}.txt").read_text(encoding="utf-8")


def metadata() -> pd.DataFrame:
    """One row per text: title, speaker or author, date, source, genre, provenance.

    >>> metadata().loc["text_a", "date"]
    'June 10, 2022'
    """
    return pd.read_csv(paths.texts_dir() / "metadata.csv", dtype=str).set_index("text_id")


def edit_log() -> pd.DataFrame:
    """Every edit made from the raw scrape to the cleaned texts, one row each.

    >>> edit_log().columns.tolist()
    ['text_id', 'raw_line', 'edit', 'before', 'after']
    """
    return pd.read_csv(paths.texts_dir() / "edit_log.csv", keep_default_na=False)


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a text (blocks separated by blank lines), stripped.

    >>> paragraphs("First.\\n\\n  Second.  \\n")
    ['First.', 'Second.']
    """
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def parse_turns(text: str, default_speaker: str = "Sergey Lavrov") -> pd.DataFrame:
    """Split a transcript into speaker turns, one row per paragraph.

    A paragraph opening with a label such as ``Question:`` or ``Sergey Lavrov:`` starts
    a new turn; paragraphs without a label continue the current turn. Paragraphs before
    the first label are the opening statement of ``default_speaker``. Questions come
    from the label ``Question``; a named speaker after a question gives an answer.
    :func:`utils.transcripts.parse` reads other formats too and says what it found.

    Columns: ``turn`` (0, 1, 2, ...), ``speaker``, ``role`` (statement, question or
    answer), ``paragraph`` (1, 2, ... in the whole text) and ``text`` (without label).

    >>> turns = parse_turns(load_text("a"))
    >>> turns.groupby("role")["turn"].nunique().to_dict()
    {'answer': 4, 'question': 4, 'statement': 1}
    """
    return transcripts.parse(text, opening_speaker=default_speaker).turns[TURN_COLUMNS]


def read_text_file(path, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """Read a UTF-8 text file for analysis, or raise :class:`TextFileError` saying what to fix.

    Refuses a missing, empty, binary, non-UTF-8 or oversized file, and one with no words.

    >>> read_text_file(paths.texts_dir() / "text_b.txt")[:20]
    'Forced displacement '
    """
    text = read_utf8(Path(path), max_bytes, TextFileError, Advice(
        missing=f"Check the path (relative paths start from the notebook's folder, {Path.cwd()}).",
        empty="Save the text into it first.",
        too_big="Analyse a part of it, or raise max_bytes if your machine has the memory.",
        binary=" (a PDF, Word or image file?), not plain text. Save or export it as plain text (.txt, UTF-8).",
        encoding="Save it again as UTF-8 (in most editors: Save As, encoding UTF-8).",
    ))
    if not nlp.WORD_RE.search(text):
        raise TextFileError(f"{path}: the file has no words, only spaces or punctuation.")
    return text.replace("\r\n", "\n")
