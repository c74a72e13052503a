"""Pairs of submissions whose answers are unusually alike: pairs for a person to read, not verdicts.

Data in, data out: :func:`similar_pairs` reads a class's submissions and returns the ranked pairs with the
passages they share; :mod:`utils.instructor.similarity_report` writes them as HTML and CSV. Nothing here runs,
imports or executes a student's code: cells are read as text, with ``ast`` and ``tokenize``. How the pairs are
found, and what the method cannot see, is :data:`METHOD` and :data:`LIMITS` (the report prints both).
"""

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
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
from nltk.stem import PorterStemmer

from utils import checks, nlp, texts
from utils.course.model import nbgrader_meta, notebooks, solution_code
from utils.course.synthetic import assigned_names
from utils.grading.parallel import students as submitting_students
from utils.grading.submissions import notebook_problems

PROSE_N = 2  # content words per prose shingle: pairs survive rewording around them
CODE_N = 8  # tokens per code shingle: long enough that a shared run is no accident of a short idiom
MIN_PROSE_WORDS = 5  # a string with fewer words is a label or a key, not prose
PRIOR = 20  # shingles added to the smaller side: a short answer needs more in common to rank high
COMMON_SHARE, COMMON_MIN = 0.02, 3  # a shingle shared by more than max(3, 2% of the class) is common material
ALIGN = 0.3  # Jaccard overlap of two sentences' content words that makes them aligned
MIN_SENTENCE_WORDS = 4  # shorter sentences align by chance
SENTENCE_PRIOR = 3  # sentences added to the smaller side, as PRIOR
ALIGN_CANDIDATES = 500  # pairs (at least 10 x top) whose sentences are aligned: the rest share too little prose
MAX_ANSWER_CHARS = 50_000  # an essay of 350 words is about 2,500; more is cut, and said
PASSAGES_PER_ANSWER, PASSAGE_CHARS = 8, 1_200  # what the report shows of each answer a pair shares
GAP = 3  # shared runs this few tokens apart are shown as one passage, the different words with them
KINDS = ("prose", "code")
PAIR_COLUMNS = ["rank", "student_a", "student_b", "score", "kind", "prose_score", "code_score", "shared_prose",
                "shared_code", "aligned_sentences", "answers", "passages"]
SKIPPED_COLUMNS = ["student", "notebook", "status", "reason"]  # status: skipped, or cut (compared in part)
KNOWN = frozenset(dir(builtins))
SENTENCE_END = re.compile(r"[.!?][\"')\]]*\s+|\n\s*\n")
_stemmer = PorterStemmer()
METHOD = [
    "Each answer cell (nbgrader solution: true, matched to the release notebook by grade_id) is read as text, "
    "never run, and compared as two streams. Prose: its strings of five words or more (the course's written "
    "answers are strings such as essay = \"\"\"...\"\"\"), with the quotations of Text A and Text B taken out, "
    "as stemmed content words (no stopwords), cut into pairs of neighbouring words. Code: its tokens without "
    "comments or layout, strings as S, and every name neither the release gives nor a question prescribes "
    "renamed v1, v2... in order of first use, so renamed variables still match; cut into runs of {code_n} tokens.",
    "Common material counts for nothing: every shingle of Text A, Text B and the release notebook (the "
    "questions' own words, the given code), and every shingle that more than {max_df} students share in the same "
    "answer (2% of the {students} compared, at least 3).",
    "Pairs come from an inverted index of the remaining shingles (no loop over all pairs). Per kind, a pair's "
    "score is the share of the smaller side's shingles found in the other, damped for short answers: "
    "shared / (smaller + {prior}). For the pairs with the most prose in common the sentences are aligned too "
    "(content words overlapping by {align:.0%} or more), which finds a paraphrase that rewords every sentence "
    "but keeps the structure; the prose score is the higher of the two, and a pair's score the higher of its "
    "prose and code scores.",
]
LIMITS = [
    "A score ranks pairs within this class and assignment; it is no probability, and no proof of anything.",
    "Two students who worked together as allowed, or from the same outside source, look alike; so may two who "
    "give the expected short answer.",
    "A copy rewritten in other words and another order, or code restructured (a loop for a vectorised call), "
    "is not found; nor are copies from outside the class.",
    "A passage shared by more than {max_df} students counts as common material, so a large group copying one "
    "source is hidden; short answers cannot score high.",
    "Quotations are taken out when they are exact and in quotation marks; one with a slip still matches the "
    "texts' own shingles, which count for nothing anyway. The sentences shown beside a pair are whole, "
    "quotations included, though these did not count.",
]


class NoSubmissions(ValueError):
    """No student has submitted the assignment: nothing to compare."""


@dataclass
class Answer:
    """One student's answer cell as one kind of stream.

    ``keys`` are what is shingled (None breaks a run: a quotation taken out); ``starts`` and ``ends`` say where
    each key is in ``text`` (prose: character offsets; code: first and last line, from 1). For prose,
    ``sentence_of`` gives each key's sentence (-1 for a break) and ``sentences`` each sentence's character
    offsets. Numbers are kept in arrays, and keys interned: a class of thousands holds millions of them.
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


# --- reading answers: prose and code streams --------------------------------------------------------------------

@functools.cache
def stem(word: str) -> str:
    """A word's stem, so that "grows" and "growing" match (cached: a class repeats its words)."""
    return _stemmer.stem(word)


def source_words(text: str) -> str:
    """A text as its lower-case words between spaces, to look quotations up in."""
    return " " + " ".join(nlp.words(text)) + " "


@functools.cache
def course_texts() -> tuple[str, ...]:
    """Text A and Text B as :func:`source_words` gives them."""
    return tuple(source_words(texts.load_text(name)) for name in ("a", "b"))


def from_texts(quote: str, sources: tuple[str, ...]) -> bool:
    """True if every part of ``quote`` (split at ``...``) is a run of words of one of ``sources``.

    >>> from_texts("it takes two ... tango", (source_words("We remain open, but it takes two to tango."),))
    True
    >>> from_texts("it takes three", (source_words("it takes two to tango"),))
    False
    """
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
        stream.starts.append(token.start[0])
        stream.ends.append(token.end[0])
        previous = token.string
    return stream


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
        if problem:
            skipped.append((student, name, "skipped", problem))
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


# --- scoring pairs -------------------------------------------------------------------------------------------------

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


def score_pairs(table: pd.DataFrame, counts: pd.Series) -> pd.DataFrame:
    """Every pair of students sharing a shingle of the same answer, with their shared counts and scores per kind.

    ``table`` holds no common material; ``counts`` how many students share each row's shingle. Pairs come from
    an inverted index (a self-join on the shingle), never from a loop over all pairs.
    """
    sizes = table.groupby(["student", "kind"], observed=True).size().unstack("kind").reindex(columns=list(KINDS))
    evidence = table[counts >= 2]
    joined = evidence.merge(evidence, on=["answer", "kind", "shingle"], suffixes=("_a", "_b"))
    joined = joined[joined["student_a"].cat.codes < joined["student_b"].cat.codes]  # categories are sorted
    shared = joined.groupby(["student_a", "student_b", "kind"], observed=True).size().unstack("kind")
    out = shared.reindex(columns=list(KINDS)).fillna(0).astype(int).reset_index()
    out = out.rename(columns={kind: f"shared_{kind}" for kind in KINDS}).astype({"student_a": str, "student_b": str})
    for kind in KINDS:
        size_a = sizes[kind].reindex(out["student_a"]).fillna(0).to_numpy()
        size_b = sizes[kind].reindex(out["student_b"]).fillna(0).to_numpy()
        out[f"{kind}_score"] = out[f"shared_{kind}"] / (np.minimum(size_a, size_b) + PRIOR)
    return out


def sentence_sets(stream: Answer, common: frozenset) -> dict[int, frozenset]:
    """The content words of each sentence of a prose stream that has ``MIN_SENTENCE_WORDS`` or more and one
    shingle that is not ``common`` (a sentence made of the question's words or of quotations is no evidence)."""
    own = {stream.sentence_of[pos] for pos, h in shingles(stream) if h not in common}
    words = {}
    for key, sentence in zip(stream.keys, stream.sentence_of, strict=True):
        if sentence in own:
            words.setdefault(sentence, set()).add(key)
    return {s: frozenset(w) for s, w in words.items() if len(w) >= MIN_SENTENCE_WORDS}


def aligned(a: dict[int, frozenset], b: dict[int, frozenset]) -> list[tuple[int, int]]:
    """Each sentence of ``a`` with the sentence of ``b`` it overlaps most, where the overlap (Jaccard) is ALIGN or more.

    >>> aligned({0: frozenset("abcd"), 1: frozenset("wxyz")}, {5: frozenset("abce"), 6: frozenset("mnop")})
    [(0, 5)]
    """
    found = []
    for i, words in a.items():
        best = max(b, key=lambda j: len(words & b[j]) / len(words | b[j]), default=None)
        if best is not None and len(words & b[best]) / len(words | b[best]) >= ALIGN:
            found.append((i, best))
    return found


def alignment(sets_a: dict, sets_b: dict) -> tuple[int, int]:
    """How many sentences of the answer with fewer sentences align with the other's, and how many it has."""
    small, large = (sets_a, sets_b) if len(sets_a) <= len(sets_b) else (sets_b, sets_a)
    return len(aligned(small, large)), len(small)


def align_pairs(pairs: pd.DataFrame, streams: dict, common: frozenset) -> pd.DataFrame:
    """``pairs`` with the sentences aligned in their prose answers and the prose score they give.

    ``streams`` maps (student, answer, kind) to an :class:`Answer`; ``common`` is all common material.
    """
    sets = {}

    def of(key):
        if key not in sets:
            sets[key] = sentence_sets(streams[key], common) if key in streams else {}
        return sets[key]

    prose = sorted({answer for student, answer, kind in streams if kind == "prose"})
    counts = []
    for pair in pairs.itertuples():
        found = [alignment(of((pair.student_a, answer, "prose")), of((pair.student_b, answer, "prose")))
                 for answer in prose]
        counts.append((sum(n for n, _ in found), sum(size for _, size in found)))
    hits = pd.Series([n for n, _ in counts], index=pairs.index, dtype=int)
    sizes = pd.Series([size for _, size in counts], index=pairs.index, dtype=float)
    return pairs.assign(aligned_sentences=hits, align_score=hits / (sizes + SENTENCE_PRIOR))


def rank(pairs: pd.DataFrame, streams: dict, common: frozenset, top: int) -> pd.DataFrame:
    """The ``top`` pairs by score, after aligning the sentences of the pairs with the most prose in common."""
    candidates = pairs[pairs["shared_prose"] > 0].nlargest(max(ALIGN_CANDIDATES, 10 * top), "prose_score")
    pairs = pairs.assign(aligned_sentences=0, align_score=0.0)
    pairs.update(align_pairs(candidates, streams, common)[["aligned_sentences", "align_score"]])
    pairs["prose_score"] = pairs[["prose_score", "align_score"]].max(axis=1)
    pairs["score"] = pairs[["prose_score", "code_score"]].max(axis=1)
    pairs["kind"] = pairs["prose_score"].ge(pairs["code_score"]).map({True: "prose", False: "code"})
    pairs = pairs.sort_values(["score", "student_a", "student_b"], ascending=[False, True, True], ignore_index=True)
    pairs = pairs.head(top).round({"score": 3, "prose_score": 3, "code_score": 3})
    return pairs.astype({"aligned_sentences": int}).assign(rank=range(1, len(pairs) + 1))


# --- the passages a pair shares ------------------------------------------------------------------------------------

def _runs(positions: set[int], keys: list) -> list[tuple[int, int]]:
    """First and last key of each run of covered ``positions``; runs at most GAP keys apart are joined."""
    runs = []
    for i in sorted(positions):
        if runs and i - runs[-1][1] <= GAP + 1 and None not in keys[runs[-1][1]:i]:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return [tuple(run) for run in runs]


def _cut(text: str) -> str:
    return text if len(text) <= PASSAGE_CHARS else text[:PASSAGE_CHARS] + " [...]"


def _excerpt(stream: Answer, run: tuple[int, int]) -> str:
    """The text of a run of keys: prose from its first word to its last, code its whole lines."""
    first, last = stream.starts[run[0]], stream.ends[run[1]]
    if stream.kind == "prose":
        return _cut(" ".join(stream.text[first:last].split()))
    return _cut("\n".join(stream.text.split("\n")[first - 1:last]))


def shared_runs(a: Answer, b: Answer, evidence: frozenset) -> list[tuple[str, str]]:
    """The passages of ``a`` made of shingles in ``evidence`` that ``b`` has too, each beside b's, in a's order."""
    at_a, at_b = {}, {}
    for stream, at in ((a, at_a), (b, at_b)):
        for pos, h in shingles(stream):
            if h in evidence:
                at.setdefault(h, []).append(pos)
    both = set(at_a) & set(at_b)
    n = shingle_size(a.kind)
    runs_b = _runs({p + k for h in both for p in at_b[h] for k in range(n)}, b.keys)
    passages = []
    for run in _runs({p + k for h in both for p in at_a[h] for k in range(n)}, a.keys):
        in_b = {p for h in both if any(run[0] <= q <= run[1] for q in at_a[h]) for p in at_b[h]}
        matched = [r for r in runs_b if any(r[0] <= p <= r[1] for p in in_b)]
        passages.append((_excerpt(a, run), " [...] ".join(_excerpt(b, r) for r in matched)))
    return passages


def shared_sentences(a: Answer, b: Answer, common: frozenset) -> list[tuple[str, str]]:
    """The aligned sentences of two prose answers, side by side, in a's order."""
    pairs = aligned(sentence_sets(a, common), sentence_sets(b, common))
    return [(_cut(" ".join(a.text[slice(*a.sentences[i])].split())),
             _cut(" ".join(b.text[slice(*b.sentences[j])].split()))) for i, j in sorted(pairs)]


def pair_passages(own: list[Answer], streams: dict, b: str, evidence: frozenset,
                  common: frozenset) -> tuple[list[str], list[tuple]]:
    """The answers in which a student's answers (``own``) and student ``b``'s share something, and the passages
    (answer, kind, the student's text, b's text); ``streams`` maps (student, answer, kind) to every answer.

    Prose shows its aligned sentences (or, if none align, its shared runs of words), code its shared lines.
    """
    names, passages = [], []
    for stream in own:
        other = streams.get((b, stream.answer, stream.kind))
        if other is None:
            continue
        found = (stream.kind == "prose" and shared_sentences(stream, other, common)) or \
            shared_runs(stream, other, evidence)
        if found:
            names.append(f"{stream.answer} ({stream.kind})")
            passages += [(stream.answer, stream.kind, *texts) for texts in found[:PASSAGES_PER_ANSWER]]
    return names, passages


def compare(answers: list[Answer], release: Release, n_students: int, top: int) -> pd.DataFrame:
    """The ``top`` pairs of students whose answers are most alike, ranked, with the passages they share.

    ``passages`` holds (answer, kind, text of student_a, text of student_b) tuples; ``attrs["max_df"]`` how many
    students may share a shingle before it is common material.
    """
    limit = max_df(n_students)
    table, counts, frequent = split_common(shingle_table(answers, release.common), limit)
    pairs = score_pairs(table, counts) if (counts >= 2).any() else pd.DataFrame()
    if pairs.empty:
        pairs = pd.DataFrame(columns=PAIR_COLUMNS)
    else:
        streams, by_student = {}, {}
        for a in answers:
            streams[(a.student, a.answer, a.kind)] = a
            by_student.setdefault(a.student, []).append(a)
        common = release.common | frequent
        pairs = rank(pairs, streams, common, top)
        evidence = frozenset(table.loc[counts >= 2, "shingle"])
        found = [pair_passages(by_student[a], streams, b, evidence, common)
                 for a, b in zip(pairs["student_a"], pairs["student_b"], strict=True)]
        pairs = pairs.assign(answers=[", ".join(names) for names, _ in found],
                             passages=[passages for _, passages in found])[PAIR_COLUMNS]
    pairs.attrs.update(max_df=limit, students=n_students)
    return pairs


def similar_pairs(course: Path, assignment: str, top: int = 50, max_mb: int | None = None) -> pd.DataFrame:
    """The ``top`` most alike pairs of submissions of ``assignment`` in course/submitted/, with their shared passages.

    ``attrs``: ``skipped`` (the notebooks not compared, or compared in part, and why: tuples as SKIPPED_COLUMNS),
    ``submitted`` (how many students submitted), ``students`` (how many had answers to compare), ``max_df``
    (how many may share a passage before it is common). Raises :class:`NoSubmissions` (a ValueError) if nobody
    submitted, ValueError if the assignment has no release notebook. ``max_mb``: the largest notebook read
    (default: as at grading, from nbgrader_config.py).
    """
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
    pairs = compare(answers, release, compared, top)
    pairs.attrs.update(skipped=skipped, submitted=len(who))
    return pairs


def method_and_limits(pairs: pd.DataFrame) -> tuple[list[str], list[str]]:
    """:data:`METHOD` and :data:`LIMITS` with the figures of this run (from ``pairs.attrs``)."""
    figures = {"code_n": CODE_N, "prior": PRIOR, "align": ALIGN, "max_df": pairs.attrs.get("max_df", COMMON_MIN),
               "students": pairs.attrs.get("students", 0)}
    return [p.format(**figures) for p in METHOD], [p.format(**figures) for p in LIMITS]
