"""From the raw web scrape to the two cleaned course texts, with every edit logged.

The raw file is kept byte for byte in data/raw/. Cleaning is deliberately small and
visible: each change is one row of the edit log (text, raw line, kind of edit, before,
after), so students can audit the path from scrape to text.
"""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

BOUNDARY = "Share the Post:"
NBSP = "\u00a0"
NBSP_RUN = re.compile(r"[ \u00a0]*\u00a0[ \u00a0]*")
# Words run together in the scrape, found by reading; each fix is logged.
MISSING_SPACES = {"ofinternational": "of international"}

# What the scrape does not say in its body: header lines and facts about each text.
TEXT_FACTS = {
    "text_a": {
        "header": ("date", "title"),
        "speaker_or_author": "Sergey Lavrov (Foreign Minister of Russia), answering journalists",
        "source": "Press conference transcript after the CSTO Council of Foreign Ministers; the same date, "
        "headline and transcript are a post on the site of the Baltimore Council on Foreign Affairs "
        "(bcfausa.org); raw web scrape supplied by the course author",
        "genre": "diplomatic transcript (opening statement, then questions and answers)",
    },
    "text_b": {
        "header": ("speaker_or_author",),
        "title": "(no headline in the scrape)",
        "date": "undated",
        "source": "Byline \"Wilson Center\" as printed in the scrape, unverified: no Wilson Center "
        "publication of this text was found; the same six paragraphs are on the site of the Baltimore "
        "Council on Foreign Affairs (bcfausa.org), as the description of its \"Project on the Forced "
        "Displaced\" and in a side column headed \"Wilson Center\" on its post pages (data/texts/README.md); "
        "raw web scrape supplied by the course author",
        "genre": "advocacy text, op-ed in form (on bcfausa.org it describes a project; genre unverified)",
    },
}
METADATA_COLUMNS = ["text_id", "file", "title", "speaker_or_author", "date", "source", "genre",
                    "raw_file", "raw_sha256", "paragraphs"]
EDIT_COLUMNS = ["text_id", "raw_line", "edit", "before", "after"]


@dataclass(frozen=True)
class Document:
    """One text of the scrape: its id, its raw lines and the raw line number of the first."""

    text_id: str
    first_line: int
    lines: tuple[str, ...]


@dataclass(frozen=True)
class CleanTexts:
    texts: dict[str, str]
    metadata: pd.DataFrame
    edits: pd.DataFrame


def show(s: str) -> str:
    """Make invisible characters visible in the edit log."""
    return s.replace(NBSP, "<NBSP>").replace("\n", "<LF>")


def split_documents(raw: str) -> list[Document]:
    """Split the scrape at its boundary line ("Share the Post:") into documents.

    >>> [d.text_id for d in split_documents("A\\nShare the Post:\\nB")]
    ['text_a', 'text_b']
    """
    lines = raw.split("\n")
    cuts = [i for i, line in enumerate(lines) if line.strip() == BOUNDARY]
    starts = [0] + [i + 1 for i in cuts]
    ends = cuts + [len(lines)]
    return [
        Document(f"text_{chr(ord('a') + k)}", start + 1, tuple(lines[start:end]))
        for k, (start, end) in enumerate(zip(starts, ends, strict=True))
    ]


def _clean_line(line: str, text_id: str, raw_line: int, edits: list) -> str:
    """Fix one body line: non-breaking spaces (one edit each), trailing blanks, words run together."""
    for run in reversed(list(NBSP_RUN.finditer(line))):
        before = line[max(0, run.start() - 25): run.end() + 25]
        line = line[: run.start()] + " " + line[run.end():]
        edits.append((text_id, raw_line, "non-breaking space replaced", show(before),
                      line[max(0, run.start() - 25): run.start() + 26]))
    if line != line.rstrip():
        edits.append((text_id, raw_line, "trailing whitespace removed", show(line[-30:]),
                      line.rstrip()[-30:]))
        line = line.rstrip()
    for wrong, right in MISSING_SPACES.items():
        if wrong in line:
            edits.append((text_id, raw_line, "missing space inserted", wrong, right))
            line = line.replace(wrong, right)
    return line


def clean_document(doc: Document, edits: list) -> tuple[dict, str]:
    """Take a document's header lines into metadata and clean its body paragraphs."""
    facts = TEXT_FACTS[doc.text_id]
    numbered = [(doc.first_line + i, line) for i, line in enumerate(doc.lines)]
    filled = [(n, line) for n, line in numbered if line.strip()]
    header, body = filled[: len(facts["header"])], filled[len(facts["header"]):]
    meta = {k: v for k, v in facts.items() if k != "header"}
    for field, (n, line) in zip(facts["header"], header, strict=False):
        meta[field] = line.strip()
        edits.append((doc.text_id, n, "header line moved to metadata", line[:60], f"metadata: {field}"))
    first_body = body[0][0] if body else len(doc.lines)
    paragraphs: list[str] = []
    previous = None
    for n, line in numbered:
        if n < first_body or not line.strip():
            continue
        line = _clean_line(line, doc.text_id, n, edits)
        if previous == n - 1:
            edits.append((doc.text_id, n, "broken paragraph joined",
                          paragraphs[-1][-25:] + " / " + line[:25], paragraphs[-1][-25:] + " " + line[:25]))
            paragraphs[-1] += " " + line
        else:
            paragraphs.append(line)
        previous = n
    meta["paragraphs"] = len(paragraphs)
    return meta, "\n\n".join(paragraphs) + "\n"


def clean_scrape(raw: str, raw_file: str = "data/raw/000_16cbea11877d3c4f.txt") -> CleanTexts:
    """Clean the raw scrape into texts, a metadata table and an edit log."""
    edits: list[tuple] = []
    texts, rows = {}, []
    sha = hashlib.sha256(raw.encode("utf-8")).hexdigest()
    docs = split_documents(raw)
    for doc in docs:
        meta, text = clean_document(doc, edits)
        if doc is docs[-1] and raw and not raw.endswith("\n"):
            # every cleaned text ends with a line break; the raw file's last line has none
            last = doc.lines[-1].rstrip()
            edits.append((doc.text_id, doc.first_line + len(doc.lines) - 1, "final newline added",
                          show(last[-25:]), show(last[-25:] + "\n")))
        texts[doc.text_id] = text
        rows.append({**meta, "text_id": doc.text_id, "file": f"{doc.text_id}.txt",
                     "raw_file": raw_file, "raw_sha256": sha})
        if doc.text_id != "text_a":
            boundary_line = doc.first_line - 1
            edits.append((doc.text_id, boundary_line, "boundary line removed", BOUNDARY, ""))
    log = pd.DataFrame(edits, columns=EDIT_COLUMNS).sort_values(["raw_line", "edit"], kind="stable")
    return CleanTexts(texts, pd.DataFrame(rows)[METADATA_COLUMNS], log.reset_index(drop=True))


def write_clean_texts(raw_path: Path, out_dir: Path) -> list[Path]:
    """Regenerate data/texts/ from the raw scrape; returns the files written."""
    raw = raw_path.read_bytes().decode("utf-8")
    clean = clean_scrape(raw, raw_file=f"data/raw/{raw_path.name}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for text_id, text in clean.texts.items():
        path = out_dir / f"{text_id}.txt"
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    for name, table in (("metadata.csv", clean.metadata), ("edit_log.csv", clean.edits)):
        path = out_dir / name
        table.to_csv(path, index=False, lineterminator="\n")
        written.append(path)
    return written
