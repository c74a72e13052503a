"""Pairs of submissions whose answers are unusually alike: pairs for a person to read, not verdicts.

Data in, data out: :func:`similar_pairs` reads a class's submissions and returns the ranked pairs with what they
share, answer by answer, and the passages, with the shared words marked; :mod:`utils.instructor.similarity_report`
writes them as HTML and CSV. Nothing here runs, imports or executes a student's code: cells are read as text, with
``ast`` and ``tokenize``. How the pairs are found, and what the method cannot see, is :data:`METHOD`,
:data:`PRECISE` and :data:`LIMITS` (the report prints them).

Importing this module costs next to nothing (the standard library only): pandas, numpy, nltk, nbformat and the
course's modules are imported by the functions that use them, because the command line imports this module
just to list its commands (``wordsnums --help``), and nltk alone takes a second or more to import.
"""

from __future__ import annotations

import ast
import bisect
import builtins
import functools
import io
import json
import keyword
import math
import os
import re
import stat
import sys
import tokenize
import warnings
from array import array
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the annotations only
    import pandas as pd

PROSE_N = 2  # content words per prose shingle (a "word pair"): pairs survive rewording around them
CODE_N = 8  # tokens per code shingle (a "code run"): long enough that a shared run is no accident of a short idiom
MIN_PROSE_WORDS = 5  # a string with fewer words is a label or a key, not prose
# Shingles added to the smaller side of an answer: a short answer needs more in common to score high. An answer
# shared whole scores 0.5 at about two sentences (20 word pairs) or four lines of code (60 runs of tokens).
PRIOR = {"prose": 20, "code": 60}
COMMON_SHARE, COMMON_MIN = 0.02, 3  # a shingle shared by more than max(3, 2% of the class) is common material
ALIGN = 0.25  # weighted overlap of two sentences' content words that aligns them (see :func:`aligned`)
MIN_SENTENCE_WORDS = 4  # shorter sentences align by chance
SENTENCE_PRIOR = 3  # sentences added to the smaller side, as PRIOR
ALIGN_CANDIDATES = 500  # answer pairs (at least 10 x top) whose sentences are aligned: the rest share too little prose
MAX_ANSWER_CHARS = 50_000  # an essay of 350 words is about 2,500; more is cut, and said
PASSAGE_CHARS = 1_200  # the longest side of a passage shown; more is cut, and said
GAP = 3  # shared runs this few tokens apart are shown as one passage, the different words with them
KINDS = ("prose", "code")
UNITS = {"prose": ("word pair", "word pairs"), "code": ("code run", "code runs")}
PAIR_COLUMNS = ["rank", "student_a", "student_b", "score", "kind", "answer", "prose_score", "code_score",
                "shared_prose", "shared_code", "aligned_sentences", "answers", "passages"]
# status: skipped (not read), cut (compared in part) or blank (nothing answered: not compared)
SKIPPED_COLUMNS = ["student", "notebook", "status", "reason"]
KNOWN = frozenset(dir(builtins))
LAYOUT = frozenset({"NEWLINE", "INDENT", "DEDENT"})  # the keys of code's layout tokens
SENTENCE_END = re.compile(r"[.!?][\"')\]]*\s+|\n\s*\n")
METHOD = [
    "Each student's answers are read as text, never run: the cells the notebook has for answers, question by "
    "question. Written answers are compared by their words, code by its structure, so renamed variables, other "
    "spacing and other comments do not hide a copy.",
    "Common material counts for nothing: Text A and Text B and exact quotations of them, the questions' own "
    "words, the code the notebook gives, and whatever more than {max_df} students wrote in the same answer "
    "({share_of}): an idiom many use, or a hint everyone followed.",
    "For each answer two students both gave, the score is the share of the shorter answer that is also in the "
    "other, common material left out, and lowered for short answers: a whole answer shared scores about 0.5 if it "
    "is two sentences or four lines of code long, and close to 1 if it is much longer. Written answers are also "
    "compared sentence by sentence: if most sentences of one have a sentence in the other with the same less "
    "common words, the answer scores high even if every sentence was reworded.",
    "A pair's score is that of its most alike answer, so one copied answer stands out even if the others differ. "
    "The typical score is the median of the pairs that share anything at all: half of them score less.",
]
PRECISE = [
    "Answer cells: the cells of the release notebook that nbgrader's metadata marks as answers (solution: true), "
    "matched to the student's by their grade_id; a cell left as released is no answer. Prose: a Markdown answer's "
    "text, or a code answer's strings of {min_words} words or more (the course's written answers are strings such "
    "as essay = \"\"\"...\"\"\"), with exact quotations of Text A or Text B in quotation marks taken out; its content "
    "words (stopwords left out), stemmed (\"grows\" and \"growing\" match), are cut into word pairs, each word with "
    "the next. Code: its tokens (the names, numbers, strings and symbols, as Python reads them) without comments "
    "or layout, strings as S, and every name that the release neither gives nor a question prescribes renamed v1, "
    "v2... in order of first use; cut into code runs of {code_n} tokens, one starting at every token.",
    "Common material: every word pair and code run of Text A, Text B and the release notebooks, and every one "
    "that more than {max_df} students have in the same answer ({share_of}, rounded up).",
    "Per answer both students gave, per kind: score = shared / (smaller + {prior_prose} word pairs, or + "
    "{prior_code} code runs), where shared is how many word pairs (or code runs) both have and smaller how many the "
    "side with fewer has, common material left out. Pairs are found through an index from each word pair and code "
    "run to the students who have it, so the class is never compared pair by pair.",
    "Sentences (written answers; the {candidates} answer pairs with the highest scores): each sentence of the side "
    "with fewer sentences is matched to the sentence of the other whose content words overlap it most, weighted: "
    "the weight of the words both have divided by the weight of all the words of the two, a word weighing "
    "log((n + 1) / d) if d of the n students who gave the answer use it (a word everyone uses weighs almost "
    "nothing). An overlap of {align:.0%} or more aligns the two; a sentence of fewer than {min_sentence} content "
    "words, or of common material only, aligns with none. Sentence score = aligned / (sentences of the side with "
    "fewer + {sentence_prior}). A written answer's score is the higher of its two scores.",
    "A pair's score is its highest answer score, and its kind (prose or code) that answer's. The typical score is "
    "the median score of the pairs that share anything beyond common material ({sharing} in this class).",
]
LIMITS = [
    "A score ranks pairs within this class and assignment; it is no probability, and no proof of anything.",
    "Two students who worked together as allowed, or from the same outside source, look alike; so may two who "
    "give the expected short answer, and a short answer shared whole scores up to about 0.5.",
    "A copy rewritten in other words and another order, or code restructured (a loop for a vectorised call), "
    "is not found; nor are copies from outside the class.",
    "A passage shared by more than {max_df} students counts as common material, so a large group copying one "
    "source is hidden.",
    "Quotations are taken out when they are exact and in quotation marks; one with a slip still matches the "
    "texts' own words, which count for nothing anyway. The sentences shown beside a pair are whole, quotations "
    "included, though these did not count.",
]


class NoSubmissions(ValueError):
    """No student has submitted the assignment: nothing to compare."""


@dataclass
class Answer:
    """One student's answer cell as one kind of stream.

    ``keys`` are what is shingled (None breaks a run: a quotation taken out); ``starts`` and ``ends`` the
    character offsets of each key in ``text``. For prose, ``sentence_of`` gives each key's sentence (-1 for a
    break) and ``sentences`` each sentence's character offsets. Numbers are kept in arrays, and keys interned: a
    class of thousands holds millions of them.
    """
    student: str
    answer: str
    kind: str
    text: str
    keys: list = field(default_factory=list)
    starts: array = field(default_factory=lambda: array("l"))
    ends: array = field(default_factory=lambda: array("l"))
    sentence_of: array = field(default_factory=lambda: array("l"))
    sentences: list = field(default_factory=list)


@dataclass
class Release:
    """What every student shares legitimately: the answer cells to read, names, and the common shingles."""
    answer_ids: dict  # notebook stem -> {grade_id: the release cell's source}
    known_names: frozenset
    common: frozenset  # hashes of the shingles of the texts and of the release notebooks


@dataclass(frozen=True)
class Passage:
    """A passage two students share in one answer: each side as (text, marked) pieces, marked = shared."""
    answer: str
    kind: str
    a: tuple
    b: tuple

    @property
    def text_a(self) -> str:
        return "".join(text for text, _ in self.a)

    @property
    def text_b(self) -> str:
        return "".join(text for text, _ in self.b)


@dataclass
class Match:
    """What a pair shares in one answer: ``shared`` word pairs or code runs of the ``smaller`` side's (common
    material left out), for prose the sentences ``aligned`` of the ``sentences`` of the side with fewer; the
    answer's ``score``, and every passage found."""
    answer: str
    kind: str
    score: float
    shared: int
    smaller: int
    aligned: int = 0
    sentences: int = 0
    passages: list = field(default_factory=list)

    def summary(self) -> str:
        """What is shared, in words.

        >>> Match("q4", "code", 0.686, 131, 131).summary(), Match("q7", "prose", 0.5, 1, 119, 1, 1).summary()
        ('131 of 131 code runs shared', '1 of 119 word pairs shared, 1 of 1 sentence aligned')
        """
        text = f"{self.shared:,} of {plural(self.smaller, *UNITS[self.kind])} shared"
        if self.aligned:
            text += f", {self.aligned:,} of {plural(self.sentences, 'sentence')} aligned"
        return text


def plural(n: int, one: str, many: str | None = None) -> str:
    """``n`` and the noun, in the singular for 1.

    >>> plural(1, "student"), plural(2, "student"), plural(0, "code run", "code runs")
    ('1 student', '2 students', '0 code runs')
    """
    return f"{n:,} {one if n == 1 else many or one + 's'}"


# --- reading answers: prose and code streams --------------------------------------------------------------------

@functools.cache
def _porter():
    # Imported here, not at the top: nltk takes a second or more to import, and the command line imports this
    # module to print its --help.
    from nltk.stem import PorterStemmer
    return PorterStemmer()


@functools.cache
def stem(word: str) -> str:
    """A word's stem, so that "grows" and "growing" match (cached: a class repeats its words)."""
    return _porter().stem(word)


def source_words(text: str) -> str:
    """A text as its lower-case words between spaces, to look quotations up in."""
    from utils import nlp
    return " " + " ".join(nlp.words(text)) + " "


@functools.cache
def course_texts() -> tuple[str, ...]:
    """Text A and Text B as :func:`source_words` gives them."""
    from utils import texts
    return tuple(source_words(texts.load_text(name)) for name in ("a", "b"))


def from_texts(quote: str, sources: tuple[str, ...]) -> bool:
    """True if every part of ``quote`` (split at ``...``) is a run of words of one of ``sources``.

    >>> from_texts("it takes two ... tango", (source_words("We remain open, but it takes two to tango."),))
    True
    >>> from_texts("it takes three", (source_words("it takes two to tango"),))
    False
    """
    from utils import checks, nlp
    parts = [" " + " ".join(nlp.words(part)) + " " for part in checks.OMISSION.split(quote) if nlp.words(part)]
    return bool(parts) and all(any(part in source for source in sources) for part in parts)


def sentence_spans(plain: str) -> list[tuple[int, int]]:
    """Character offsets of the sentences of a text (ends at . ! ? and at blank lines)."""
    ends = [m.end() for m in SENTENCE_END.finditer(plain)]
    starts = [0, *ends]
    return [(a, b) for a, b in zip(starts, [*ends, len(plain)], strict=True) if plain[a:b].strip()]


def prose_stream(student: str, answer: str, prose: str, sources: tuple[str, ...] = ()) -> Answer:
    """The content words of ``prose``, stemmed, with quotations of ``sources`` taken out (a break in their place).

    >>> a = prose_stream("ada", "q7", 'He calls it "breakdancing alone". The West laughs.', (" breakdancing alone ",))
    >>> a.keys, list(a.sentence_of)
    (['call', None, 'west', 'laugh'], [0, -1, 1, 1])
    >>> a.text[a.starts[2]:a.ends[2]]
    'West'
    """
    from utils import checks, nlp
    plain = nlp.normalise(prose)
    quoted = [m.span() for m in checks.QUOTE.finditer(plain) if from_texts(m.group(1), sources)]
    stream = Answer(student, answer, "prose", plain, sentences=sentence_spans(plain))
    starts = [start for start, _ in stream.sentences]
    stops = nlp.stopwords()
    q = 0
    for match in nlp.WORD_RE.finditer(plain):
        while q < len(quoted) and quoted[q][1] <= match.start():
            q += 1
        if q < len(quoted) and quoted[q][0] <= match.start():
            if stream.keys and stream.keys[-1] is not None:
                stream.keys.append(None)
                stream.starts.append(-1)
                stream.ends.append(-1)
                stream.sentence_of.append(-1)
            continue
        word = match.group().lower()
        if word not in stops:
            stream.keys.append(stem(word))
            stream.starts.append(match.start())
            stream.ends.append(match.end())
            stream.sentence_of.append(bisect.bisect_right(starts, match.start()) - 1)
    return stream


def cell_tokens(source: str) -> list[tokenize.TokenInfo]:
    """Python's tokens of a cell; for code that does not tokenise to the end (a syntax error), those before it.

    Tokens, not a syntax tree: any text gives them, however broken or deeply nested, in one pass.
    """
    found = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            found.append(token)
    except (tokenize.TokenError, SyntaxError):  # unclosed brackets or strings, bad indentation
        pass
    return found


def _renamed(token: tokenize.TokenInfo, previous: str, known: frozenset, names: dict) -> str:
    if token.type == tokenize.STRING:
        return "S"
    if token.type != tokenize.NAME or keyword.iskeyword(token.string) or previous == "." or token.string in known:
        return token.string
    return names.setdefault(token.string, f"v{len(names) + 1}")


def code_stream(student: str, answer: str, source: str, known: frozenset = KNOWN,
                tokens: list | None = None) -> Answer:
    """The tokens of ``source`` without comments and layout; strings as S, names not in ``known`` as v1, v2, ...

    ``tokens``: the cell's :func:`cell_tokens`, if already read.

    >>> code_stream("ada", "q1", "total = sum(xs)  # add up\\nshare = total / len(xs)").keys
    ['v1', '=', 'sum', '(', 'v2', ')', 'NEWLINE', 'v3', '=', 'v1', '/', 'len', '(', 'v2', ')', 'NEWLINE']
    """
    stream = Answer(student, answer, "code", source)
    lines = [0, 0, *(m.end() for m in re.finditer("\n", source))]  # where each line starts; tokenize counts from 1
    names, previous = {}, ""
    layout = {tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
    for token in cell_tokens(source) if tokens is None else tokens:
        if token.type in layout:
            key = tokenize.tok_name[token.type]
        elif token.type in (tokenize.COMMENT, tokenize.NL, tokenize.ENDMARKER) or not token.string.strip():
            continue
        else:
            key = _renamed(token, previous, known, names)
        stream.keys.append(sys.intern(key))
        stream.starts.append(_offset(lines, token.start, len(source)))
        stream.ends.append(_offset(lines, token.end, len(source)))
        previous = token.string
    return stream


def _offset(lines: list[int], row_col: tuple[int, int], size: int) -> int:
    """The character offset of tokenize's (row, column), given where each line starts."""
    row, col = row_col
    return min(lines[row] + col, size) if row < len(lines) else size


def _tree(source: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an invalid escape such as "\d" in a string
        try:
            return ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):  # ValueError: a null byte
            return None


def literal(token: str) -> list[str]:
    """The text of one string token, read with ``ast`` (never run); an f-string gives its literal parts.

    >>> literal("'''two words'''"), literal("f'n is {n}'"), literal("b'bytes'")
    (['two words'], ['n is '], [])
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = ast.literal_eval(token)
            return [value] if isinstance(value, str) else []
        except (ValueError, SyntaxError, RecursionError, MemoryError):  # an f-string is no literal
            pass
    return [node.value for node in ast.walk(_tree(f"({token})") or ast.Module([], []))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def prose_strings(tokens: list) -> list[str]:
    """The strings among a cell's tokens that hold MIN_PROSE_WORDS words or more, in the order written.

    Most strings in code are column names and labels; a broken cell gives the strings before the break.

    >>> prose_strings(cell_tokens("df['member']\\nessay = '''Both texts rest on facts, mostly.''' + f'{n} and more"))
    ['Both texts rest on facts, mostly.']
    """
    from utils import nlp
    return [text for token in tokens if token.type == tokenize.STRING and len(token.string.split()) >= MIN_PROSE_WORDS
            for text in literal(token.string) if len(nlp.words(text)) >= MIN_PROSE_WORDS]


def prose_of(cell_type: str, source: str, tokens: list | None = None) -> str:
    """The prose of an answer cell: a Markdown cell's text, or a code cell's strings of five words or more."""
    if cell_type == "markdown":
        return source
    return "\n\n".join(prose_strings(cell_tokens(source) if tokens is None else tokens))


def shingle_size(kind: str) -> int:
    return PROSE_N if kind == "prose" else CODE_N


def shingles(stream: Answer) -> list[tuple[int, int]]:
    """(position, hash) of every run of keys of the stream's shingle size without a break. The hash holds the kind,
    so a code run never matches a prose one; it is Python's, the same within one run of the program."""
    n, keys = shingle_size(stream.kind), stream.keys
    out, start = [], 0
    for i, key in enumerate(keys):
        if key is None:
            start = i + 1
        elif i - start + 1 >= n:
            out.append((i - n + 1, hash((stream.kind, *keys[i - n + 1:i + 1]))))
    return out


# --- the release: answer cells, names given and prescribed, common material ------------------------------------

def names_defined(code: str) -> set[str]:
    """The names trusted code (a release notebook's) assigns, imports or defines."""
    found = set()
    for node in ast.walk(_tree(code) or ast.Module([], [])):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add(node.id)
        elif isinstance(node, ast.alias):
            found.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            found.add(node.name)
    return found


def _cells(nb) -> list[dict]:
    """The cells of a notebook read as plain JSON: type, source as one string, nbgrader metadata (a dict)."""
    from utils.course.model import nbgrader_meta
    cells = []
    for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
        if not isinstance(cell, dict):
            continue
        source = cell.get("source", "")
        source = "".join(s for s in source if isinstance(s, str)) if isinstance(source, list) else str(source)
        meta = nbgrader_meta(cell) if isinstance(cell.get("metadata"), dict) else {}
        cells.append({"type": cell.get("cell_type"), "source": source,
                      "meta": meta if isinstance(meta, dict) else {}})
    return cells


def release_material(course: Path, assignment: str) -> Release:
    """The answer cells of the release notebooks, the names they give or prescribe, and the common shingles.

    Given names are those the release's other code cells define; prescribed names those a source solution
    assigns that the release's test cells use. Both stay as written in code streams; other names are renamed.
    """
    from utils import texts
    from utils.course.model import notebooks, solution_code
    from utils.course.synthetic import assigned_names
    paths = notebooks(course, assignment, "release")
    if not paths:
        raise ValueError(f"no release notebook of {assignment} in {course / 'release' / assignment}: "
                         f"generate it first (wordsnums build {assignment})")
    answer_ids, known, prose, code = {}, set(KNOWN), [texts.load_text("a"), texts.load_text("b")], []
    for path in paths:
        cells = _cells(json.loads(path.read_text("utf-8")))
        answer_ids[path.stem] = {c["meta"]["grade_id"]: c["source"] for c in cells
                                 if c["meta"].get("solution") and c["meta"].get("grade_id")}
        tested = set()
        for cell in cells:
            prose.append(cell["source"])
            if cell["type"] != "code":
                continue
            code.append(cell["source"])
            if cell["meta"].get("grade") and not cell["meta"].get("solution"):
                tested |= {n.id for n in ast.walk(_tree(cell["source"]) or ast.Module([], []))
                           if isinstance(n, ast.Name)}
            elif not cell["meta"].get("solution"):
                known |= names_defined(cell["source"])
        source_path = course / "source" / assignment / path.name
        for cell in _cells(json.loads(source_path.read_text("utf-8"))) if source_path.is_file() else []:
            solution = solution_code(cell["source"])
            if cell["meta"].get("solution") and cell["type"] == "code" and _tree(solution) is not None:
                known |= set(assigned_names(solution)) & tested
    known = frozenset(known)
    common = {h for text in prose for _, h in shingles(prose_stream("", "", text))}
    common |= {h for text in code for _, h in shingles(code_stream("", "", text, known))}
    return Release(answer_ids, known, frozenset(common))


def plain_notebook(path: Path, max_mb: int) -> dict | None:
    """The JSON of a notebook that is a plain file of at most ``max_mb`` MiB and holds a list of cells; else None.

    The quick way in for the thousands of good notebooks of a class; anything else goes to grading's checks.
    """
    try:
        info = os.lstat(path)  # never follows a link, never opens a pipe
        if not stat.S_ISREG(info.st_mode) or not 0 < info.st_size <= max_mb * 2**20:
            return None
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):  # unreadable, not JSON (ValueError), nested too deeply
        return None
    return data if isinstance(data, dict) and isinstance(data.get("cells"), list) else None


def notebook_cells(folder: Path, name: str, max_mb: int) -> tuple[list[dict], str | None]:
    """The cells of notebook ``name`` in a submission ``folder``, or ([], why it cannot be read).

    Why is what grading says (:func:`utils.grading.submissions.notebook_problems`): missing, renamed, not a plain
    file, too large, not JSON, not a notebook. An nbformat 3 notebook is converted to 4, as nbgrader does.
    """
    path = folder / f"{name}.ipynb"
    if (data := plain_notebook(path, max_mb)) is not None:
        return _cells(data), None
    import nbformat

    from utils.grading.submissions import notebook_problems
    if problems := notebook_problems(folder, [name], max_mb):
        return [], problems[0]
    return _cells(nbformat.reads(path.read_bytes().decode("utf-8"), as_version=4)), None


def read_answers(course: Path, assignment: str, student: str, release: Release,
                 max_mb: int) -> tuple[list[Answer], list[tuple[str, str, str, str]]]:
    """A student's answers as prose and code streams, and the notebooks skipped or cut, with why (as SKIPPED_COLUMNS).

    An answer cell left as released is no answer; of several cells with one grade_id the last counts, as at
    grading; an answer longer than ``MAX_ANSWER_CHARS`` is cut, and listed.
    """
    folder = course / "submitted" / student / assignment
    answers, skipped = [], []
    for name, ids in release.answer_ids.items():
        cells, problem = notebook_cells(folder, name, max_mb)
        if problem:  # its path from the course folder, not the whole path: the report may travel
            skipped.append((student, name, "skipped", problem.replace(f"{course}{os.sep}", "")))
        answered = {c["meta"].get("grade_id"): c for c in cells
                    if c["meta"].get("solution") and c["meta"].get("grade_id") in ids}
        for grade_id, cell in answered.items():
            source = cell["source"]
            if source.strip() == ids[grade_id].strip():
                continue
            if len(source) > MAX_ANSWER_CHARS:
                skipped.append((student, name, "cut", f"{grade_id} has {len(source):,} characters: only the first "
                                               f"{MAX_ANSWER_CHARS:,} were compared"))
                source = source[:MAX_ANSWER_CHARS]
            label = f"{name}/{grade_id}" if len(release.answer_ids) > 1 else grade_id
            tokens = cell_tokens(source) if cell["type"] == "code" else None
            answers.append(prose_stream(student, label, prose_of(cell["type"], source, tokens), course_texts()))
            if tokens is not None:
                answers.append(code_stream(student, label, source, release.known_names, tokens))
    return answers, skipped


# --- scoring pairs, answer by answer -------------------------------------------------------------------------------

def max_df(n_students: int) -> int:
    """How many students may share a shingle before it counts as common material of the course.

    >>> max_df(10), max_df(2000)
    (3, 40)
    """
    return max(COMMON_MIN, math.ceil(COMMON_SHARE * n_students))


def shingle_table(answers: list[Answer], common: frozenset) -> pd.DataFrame:
    """One row per distinct (student, answer, kind, shingle), without the release's and the texts' shingles.

    Names are categories (a class of thousands gives a million rows: codes keep them small).
    """
    import pandas as pd
    columns = {"student": [], "answer": [], "kind": [], "shingle": []}
    for stream in answers:
        hashes = {h for _, h in shingles(stream) if h not in common}
        for column, value in (("student", stream.student), ("answer", stream.answer), ("kind", stream.kind)):
            columns[column] += [value] * len(hashes)
        columns["shingle"] += hashes
    return pd.DataFrame(columns).astype({"student": "category", "answer": "category", "kind": "category"})


def split_common(table: pd.DataFrame, limit: int) -> tuple[pd.DataFrame, pd.Series, frozenset]:
    """The rows of shingles at most ``limit`` students share in one answer, how many share each, and the others."""
    counts = table.groupby(["answer", "kind", "shingle"], observed=True)["student"].transform("size")
    keep = counts <= limit
    return table[keep], counts[keep], frozenset(table.loc[~keep, "shingle"])


def answer_pairs(table: pd.DataFrame, counts: pd.Series) -> pd.DataFrame:
    """Every pair of students sharing a shingle of the same answer: one row per pair, answer and kind.

    ``shared``: the shingles both have; ``smaller``: how many the side with fewer has in that answer; ``score``:
    shared / (smaller + PRIOR[kind]); ``key``: a number for the pair. ``table`` holds no common material;
    ``counts`` how many students share each row's shingle. Pairs come from an inverted index (a self-join on the
    shingle), never a loop over all pairs. Names stay categories, and sizes are looked up by their codes: a class
    of thousands has a million rows here.
    """
    import numpy as np
    students, answers, kinds = (table[column].cat for column in ("student", "answer", "kind"))
    sizes = np.zeros((len(students.categories), len(answers.categories), len(kinds.categories)), dtype=np.int64)
    np.add.at(sizes, (students.codes, answers.codes, kinds.codes), 1)
    evidence = table[counts >= 2]
    joined = evidence.merge(evidence, on=["answer", "kind", "shingle"], suffixes=("_a", "_b"))
    joined = joined[joined["student_a"].cat.codes < joined["student_b"].cat.codes]  # categories are sorted
    out = joined.groupby(["student_a", "student_b", "answer", "kind"], observed=True).size().rename("shared")
    out = out.reset_index()
    del joined
    code_a, code_b = out["student_a"].cat.codes.to_numpy(), out["student_b"].cat.codes.to_numpy()
    where = (out["answer"].cat.codes.to_numpy(), out["kind"].cat.codes.to_numpy())
    out["smaller"] = np.minimum(sizes[(code_a, *where)], sizes[(code_b, *where)])
    out["score"] = out["shared"] / (out["smaller"] + out["kind"].map(PRIOR).astype(float))
    out["key"] = code_a.astype(np.int64) * len(students.categories) + code_b
    return out.assign(aligned=0, sentences=0)


def word_weights(answers: list[Answer]) -> dict[str, dict[str, float]]:
    """For each written answer, the weight of each content word: log((n + 1) / d) if d of the n students who gave
    the answer use it. A word everyone uses weighs almost nothing; one two students share weighs much."""
    used, given = {}, Counter()
    for stream in answers:
        if stream.kind == "prose":
            given[stream.answer] += 1
            used.setdefault(stream.answer, Counter()).update(set(stream.keys) - {None})
    return {answer: {word: math.log((given[answer] + 1) / d) for word, d in words.items()}
            for answer, words in used.items()}


def sentence_sets(stream: Answer, common: frozenset) -> dict[int, frozenset]:
    """The content words of each sentence of a prose stream that has ``MIN_SENTENCE_WORDS`` or more and one
    shingle that is not ``common`` (a sentence made of the question's words or of quotations is no evidence)."""
    own = {stream.sentence_of[pos] for pos, h in shingles(stream) if h not in common}
    words = {}
    for key, sentence in zip(stream.keys, stream.sentence_of, strict=True):
        if sentence in own:
            words.setdefault(sentence, set()).add(key)
    return {s: frozenset(w) for s, w in words.items() if len(w) >= MIN_SENTENCE_WORDS}


def _mass(words: frozenset, weight: dict | None) -> float:
    return len(words) if weight is None else sum(weight.get(word, 1.0) for word in words)


def aligned(a: dict[int, frozenset], b: dict[int, frozenset], weight: dict | None = None) -> list[tuple[int, int]]:
    """Each sentence of ``a`` with the sentence of ``b`` it overlaps most, where the overlap is ALIGN or more.

    The overlap of two sentences is the weight of the words both have over the weight of all their words (with
    no ``weight``, every word weighs 1: Jaccard's).

    >>> aligned({0: frozenset("abcd"), 1: frozenset("wxyz")}, {5: frozenset("abce"), 6: frozenset("mnop")})
    [(0, 5)]
    >>> aligned({0: frozenset("abcd")}, {5: frozenset("abce")}, weight={"a": 0.01, "b": 0.01, "c": 0.01})
    []
    """
    mass_b = {j: _mass(words, weight) for j, words in b.items()}
    found = []
    for i, words in a.items():
        mass_a, best, most = _mass(words, weight), None, 0.0
        for j, other in b.items():
            both = words & other
            if both:
                shared = _mass(both, weight)
                union = mass_a + mass_b[j] - shared
                if union > 0 and shared / union > most:
                    best, most = j, shared / union
        if best is not None and most >= ALIGN:
            found.append((i, best))
    return found


def sentence_pairs(sets_a: dict, sets_b: dict, weight: dict | None = None) -> list[tuple[int, int]]:
    """The aligned sentences of two answers as (sentence of a, sentence of b), in a's order: each sentence of the
    answer with fewer sentences with its best match in the other (:func:`aligned`)."""
    if len(sets_a) <= len(sets_b):
        return sorted(aligned(sets_a, sets_b, weight))
    return sorted((i, j) for j, i in aligned(sets_b, sets_a, weight))


def alignment(sets_a: dict, sets_b: dict, weight: dict | None = None) -> tuple[int, int]:
    """How many sentences of the answer with fewer sentences align with the other's, and how many it has."""
    return len(sentence_pairs(sets_a, sets_b, weight)), min(len(sets_a), len(sets_b))


def align_answers(per: pd.DataFrame, streams: dict, common: frozenset, weights: dict,
                  candidates: int) -> pd.DataFrame:
    """``per`` (:func:`answer_pairs`) with the sentences aligned in the ``candidates`` written answers that score
    highest: ``aligned`` of ``sentences``; an answer's score becomes the higher of its two scores.

    ``streams`` maps (student, answer, kind) to an :class:`Answer`; ``common`` is all common material;
    ``weights`` is :func:`word_weights`.
    """
    sets = {}

    def of(student, answer):
        if (student, answer) not in sets:
            stream = streams.get((student, answer, "prose"))
            sets[(student, answer)] = sentence_sets(stream, common) if stream is not None else {}
        return sets[(student, answer)]

    prose = per[per["kind"] == "prose"].nlargest(candidates, "score")
    found = [alignment(of(row.student_a, row.answer), of(row.student_b, row.answer), weights.get(row.answer))
             for row in prose.itertuples()]
    per = per.copy()
    per.loc[prose.index, "aligned"] = [n for n, _ in found]
    per.loc[prose.index, "sentences"] = [size for _, size in found]
    per["score"] = per["score"].clip(lower=per["aligned"] / (per["sentences"] + SENTENCE_PRIOR))
    return per


def pair_scores(per: pd.DataFrame) -> pd.DataFrame:
    """One row per pair of :func:`answer_pairs`'s rows: the score, kind and answer of its most alike answer (of two
    as alike, the written one, then the first by name); per kind, the highest answer score and the shingles shared
    in all answers; the sentences aligned in all."""
    best_row = (per["score"] + per["kind"].eq("prose") * 1e-9).groupby(per["key"]).idxmax()
    best = per.loc[best_row, ["key", "student_a", "student_b", "score", "kind", "answer"]].set_index("key")
    for kind in KINDS:
        of_kind = per.loc[per["kind"] == kind, ["key", "score", "shared"]].groupby("key")
        best[f"{kind}_score"] = of_kind["score"].max().reindex(best.index, fill_value=0.0)
        best[f"shared_{kind}"] = of_kind["shared"].sum().reindex(best.index, fill_value=0).astype(int)
        del of_kind
    best["aligned_sentences"] = per["aligned"].groupby(per["key"]).sum().reindex(best.index).astype(int)
    return best.reset_index()


def score_pairs(table: pd.DataFrame, counts: pd.Series) -> pd.DataFrame:
    """Every pair of students sharing a shingle of the same answer, scored by its most alike answer (no sentences
    aligned): :func:`pair_scores` of :func:`answer_pairs`."""
    return pair_scores(answer_pairs(table, counts))


def rank(pairs: pd.DataFrame, top: int) -> pd.DataFrame:
    """The ``top`` pairs by score, most alike first (of pairs as alike, by name), numbered from 1."""
    pairs = pairs.nlargest(top, "score", keep="all")  # before sorting: a class of thousands has a million pairs
    pairs = pairs.sort_values(["score", "student_a", "student_b"], ascending=[False, True, True], ignore_index=True)
    pairs = pairs.head(top).round({"score": 3, "prose_score": 3, "code_score": 3})
    pairs = pairs.astype({"student_a": str, "student_b": str, "kind": str, "answer": str})
    return pairs.assign(rank=range(1, len(pairs) + 1))


# --- the passages a pair shares, with the shared words marked -----------------------------------------------------

def _runs(positions: set[int], keys: list) -> list[tuple[int, int]]:
    """First and last key of each run of covered ``positions``; runs at most GAP keys apart are joined."""
    runs = []
    for i in sorted(positions):
        if runs and i - runs[-1][1] <= GAP + 1 and None not in keys[runs[-1][1]:i]:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return [tuple(run) for run in runs]


def _spans(stream: Answer, positions) -> list[tuple[int, int]]:
    """The character spans of the keys at ``positions``; neighbouring keys make one span, with what is between.

    Code's layout tokens mark nothing, so a span ends with the line's last token (not with a comment after it);
    prose's spans end with their sentence.
    """
    spans, last = [], None
    for p in sorted(positions):
        if stream.keys[p] is None or (stream.kind == "code" and stream.keys[p] in LAYOUT):
            continue
        if spans and p == last + 1 and (stream.kind == "code" or stream.sentence_of[p] == stream.sentence_of[last]):
            spans[-1][1] = stream.ends[p]
        else:
            spans.append([stream.starts[p], stream.ends[p]])
        last = p
    return [tuple(span) for span in spans]


def pieces(text: str, lo: int, hi: int, spans: list[tuple[int, int]], prose: bool) -> tuple[tuple[str, bool], ...]:
    """``text[lo:hi]`` as (text, marked) pieces, ``spans`` marked (not the blanks at their lines' ends); prose with
    its blanks made single spaces, code as written; cut at PASSAGE_CHARS, and said.

    >>> pieces("a  shared\\n  run  here", 0, 21, [(3, 15)], prose=False)
    (('a  ', False), ('shared', True), ('\\n  ', False), ('run', True), ('  here', False))
    >>> pieces("a  shared\\n  run  here", 0, 21, [(3, 15)], prose=True)
    (('a ', False), ('shared run', True), (' here', False))
    """
    raw, at = [], lo
    for start, end in spans:
        start, end = max(start, at), min(end, hi)
        if start >= end:
            continue
        raw.append((text[at:start], False))
        for i, line in enumerate(text[start:end].split("\n")):
            core = line.strip()
            lead = line[:len(line) - len(line.lstrip())]
            raw += [("\n" if i else "", False), (lead, False), (core, True), (line[len(lead) + len(core):], False)]
        at = end
    raw.append((text[at:hi], False))
    merged = _merged(raw)
    if prose:  # blanks as single spaces; a mark broken only by a line break is one mark
        merged = _merged((re.sub(r"\s+", " ", piece), marked) for piece, marked in merged)
        joined = []
        for piece, marked in merged:
            if marked and len(joined) >= 2 and joined[-1][0] == " ":
                joined.pop()
                joined[-1] = (joined[-1][0] + " " + piece, True)
            else:
                joined.append((piece, marked))
        if joined:
            joined[0], joined[-1] = (joined[0][0].lstrip(), joined[0][1]), (joined[-1][0].rstrip(), joined[-1][1])
        merged = [(piece, marked) for piece, marked in joined if piece]
    return _cut(merged)


def _merged(raw) -> list[tuple[str, bool]]:
    """Pieces without the empty ones, neighbours both marked or both not joined."""
    out = []
    for piece, marked in raw:
        if piece and out and out[-1][1] == marked:
            out[-1] = (out[-1][0] + piece, marked)
        elif piece:
            out.append((piece, marked))
    return out


def _cut(found: list[tuple[str, bool]]) -> tuple[tuple[str, bool], ...]:
    if sum(len(piece) for piece, _ in found) <= PASSAGE_CHARS:
        return tuple(found)
    out, left = [], PASSAGE_CHARS
    for piece, marked in found:
        if left <= 0:
            break
        out.append((piece[:left], marked))
        left -= len(piece)
    return (*out, (" [...]", False))


def _region(stream: Answer, run: tuple[int, int]) -> tuple[int, int]:
    """The text a run of keys is shown in (character offsets): code its whole lines, prose its sentences."""
    first, last = stream.starts[run[0]], stream.ends[run[1]]
    if stream.kind == "code":
        hi = stream.text.find("\n", max(first, last - 1))
        return stream.text.rfind("\n", 0, first) + 1, len(stream.text) if hi < 0 else hi
    lo, hi = stream.sentences[stream.sentence_of[run[0]]][0], stream.sentences[stream.sentence_of[run[1]]][1]
    return (first if hi - lo > PASSAGE_CHARS else lo), hi  # a long sentence: from the run on


def _grouped(stream: Answer, runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``runs`` with those shown in the same sentence or line joined, so that each is shown once."""
    out = []
    for run in runs:
        if out and _region(stream, run)[0] < _region(stream, out[-1])[1]:
            out[-1] = (out[-1][0], run[1])
        else:
            out.append(run)
    return out


def _context(stream: Answer, run: tuple[int, int], marked: set[int]) -> tuple[tuple[str, bool], ...]:
    """A run of keys in its :func:`_region`, the keys at ``marked`` marked."""
    return pieces(stream.text, *_region(stream, run), _spans(stream, marked), stream.kind == "prose")


def shared_runs(a: Answer, b: Answer, evidence: frozenset) -> list[Passage]:
    """The passages of ``a`` made of shingles in ``evidence`` that ``b`` has too, each beside b's, in a's order."""
    at_a, at_b = {}, {}
    for stream, at in ((a, at_a), (b, at_b)):
        for pos, h in shingles(stream):
            if h in evidence:
                at.setdefault(h, []).append(pos)
    both = set(at_a) & set(at_b)
    n = shingle_size(a.kind)
    cover_a = {p + k for h in both for p in at_a[h] for k in range(n)}
    runs_b = _grouped(b, _runs({p + k for h in both for p in at_b[h] for k in range(n)}, b.keys))
    gap = (" [...] ", False) if a.kind == "prose" else ("\n[...]\n", False)
    passages = []
    for run in _grouped(a, _runs(cover_a, a.keys)):
        in_b = {p + k for h in both if any(run[0] <= q <= run[1] for q in at_a[h]) for p in at_b[h] for k in range(n)}
        side_b = []
        for r in runs_b:
            here = {p for p in in_b if r[0] <= p <= r[1]}
            if here:
                side_b += [gap, *_context(b, r, here)] if side_b else list(_context(b, r, here))
        marked = {p for p in cover_a if run[0] <= p <= run[1]}
        passages.append(Passage(a.answer, a.kind, _context(a, run, marked), _cut(side_b)))
    return passages


def _sentence(stream: Answer, i: int, words: frozenset) -> tuple[tuple[str, bool], ...]:
    """Sentence ``i`` of a prose stream, its content words in ``words`` marked."""
    marked = [p for p, (key, s) in enumerate(zip(stream.keys, stream.sentence_of, strict=True))
              if s == i and key in words]
    return pieces(stream.text, *stream.sentences[i], _spans(stream, marked), prose=True)


def shared_sentences(a: Answer, b: Answer, common: frozenset, weight: dict | None = None) -> list[Passage]:
    """The aligned sentences of two prose answers, side by side, in a's order, the content words both have marked."""
    sets_a, sets_b = sentence_sets(a, common), sentence_sets(b, common)
    return [Passage(a.answer, "prose", _sentence(a, i, sets_a[i] & sets_b[j]), _sentence(b, j, sets_a[i] & sets_b[j]))
            for i, j in sentence_pairs(sets_a, sets_b, weight)]


def pair_matches(rows: pd.DataFrame, streams: dict, evidence: frozenset, common: frozenset,
                 weights: dict) -> list[Match]:
    """What a pair shares in each answer (``rows``: the pair's rows of :func:`answer_pairs`), most alike first.

    Prose shows its aligned sentences (or, if none align, its shared runs of words), code its shared runs of tokens.
    """
    matches = []
    for row in rows.sort_values(["score", "answer"], ascending=[False, True]).itertuples():
        a, b = streams[(row.student_a, row.answer, row.kind)], streams[(row.student_b, row.answer, row.kind)]
        found = (row.aligned and shared_sentences(a, b, common, weights.get(row.answer))) or \
            shared_runs(a, b, evidence)
        matches.append(Match(row.answer, row.kind, round(row.score, 3), int(row.shared), int(row.smaller),
                             int(row.aligned), int(row.sentences), found))
    return matches


def compare(answers: list[Answer], release: Release, n_students: int, top: int) -> pd.DataFrame:
    """The ``top`` pairs of students whose answers are most alike, ranked, with what they share (PAIR_COLUMNS).

    ``answers``: one :class:`Match` per answer the pair shares something in, most alike first; ``passages``: all
    their :class:`Passage`. ``attrs``: ``max_df`` (how many students may share a shingle before it is common
    material), ``students``, ``typical`` (the median score of the pairs that share anything, or None),
    ``sharing`` (how many pairs share anything) and ``candidates`` (how many answer pairs had sentences aligned).
    """
    import pandas as pd
    limit, candidates = max_df(n_students), max(ALIGN_CANDIDATES, 10 * top)
    table, counts, frequent = split_common(shingle_table(answers, release.common), limit)
    per = answer_pairs(table, counts) if (counts >= 2).any() else pd.DataFrame()
    typical, sharing = None, 0
    if per.empty:
        pairs = pd.DataFrame(columns=PAIR_COLUMNS)
    else:
        streams = {(a.student, a.answer, a.kind): a for a in answers}
        common, weights = release.common | frequent, word_weights(answers)
        per = align_answers(per, streams, common, weights, candidates)
        pairs = pair_scores(per)
        typical, sharing = round(float(pairs["score"].median()), 3), len(pairs)
        pairs = rank(pairs, top)
        evidence = frozenset(table.loc[counts >= 2, "shingle"])
        by_pair = dict(iter(per[per["key"].isin(set(pairs["key"]))].groupby("key")))
        found = [pair_matches(by_pair[key], streams, evidence, common, weights) for key in pairs["key"]]
        pairs = pairs.assign(answers=found, passages=[[p for m in matches for p in m.passages] for matches in found])
        pairs = pairs[PAIR_COLUMNS]
    pairs.attrs.update(max_df=limit, students=n_students, typical=typical, sharing=sharing, candidates=candidates)
    return pairs


def similar_pairs(course: Path, assignment: str, top: int = 50, max_mb: int | None = None) -> pd.DataFrame:
    """The ``top`` most alike pairs of submissions of ``assignment`` in course/submitted/, with their shared passages.

    ``attrs`` as :func:`compare`'s, and: ``skipped`` (the notebooks not compared, compared in part, or left blank,
    and why: tuples as SKIPPED_COLUMNS), ``submitted`` (how many students submitted), ``students`` (how many had
    answers to compare). Raises :class:`NoSubmissions` (a ValueError) if nobody submitted, ValueError if the
    assignment has no release notebook. ``max_mb``: the largest notebook read (default: as at grading, from
    nbgrader_config.py).
    """
    from utils.grading.parallel import students as submitting_students
    who = submitting_students(course, assignment)
    if not who:
        raise NoSubmissions(f"no submissions of {assignment} in {course / 'submitted'}: collect them first "
                            "(nbgrader collect / wordsnums demo)")
    release = release_material(course, assignment)
    if max_mb is None:
        from utils.grading.worker import max_notebook_mb  # imports nbgrader's apps: only when needed
        max_mb = max_notebook_mb(course)
    answers, skipped, compared = [], [], 0
    for student in who:
        found, problems = read_answers(course, assignment, student, release, max_mb)
        answers += found
        skipped += problems
        compared += bool(found)
        if not found and not any(status == "skipped" for _, _, status, _ in problems):
            skipped += [(student, name, "blank", "no answers: every answer cell is as released")
                        for name in release.answer_ids]
    pairs = compare(answers, release, compared, top)
    pairs.attrs.update(skipped=skipped, submitted=len(who))
    return pairs


def method_and_limits(pairs: pd.DataFrame) -> tuple[list[str], list[str], list[str]]:
    """:data:`METHOD` (in plain words), :data:`PRECISE` and :data:`LIMITS` with the figures of this run (from
    ``pairs.attrs``)."""
    students = pairs.attrs.get("students", 0)
    share_of = f"2% of the {students} compared, or 3 if that is more" if students >= 2 else \
        "2% of the students compared, or 3 if that is more"
    figures = {"code_n": CODE_N, "prior_prose": PRIOR["prose"], "prior_code": PRIOR["code"], "align": ALIGN,
               "max_df": pairs.attrs.get("max_df", COMMON_MIN), "students": students, "share_of": share_of,
               "min_words": MIN_PROSE_WORDS, "min_sentence": MIN_SENTENCE_WORDS, "sentence_prior": SENTENCE_PRIOR,
               "candidates": f"{pairs.attrs.get('candidates', ALIGN_CANDIDATES):,}",
               "sharing": f"{pairs.attrs.get('sharing', 0):,}"}
    return tuple([p.format(**figures) for p in texts] for texts in (METHOD, PRECISE, LIMITS))
