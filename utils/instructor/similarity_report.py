"""The similarity report: the pairs of submissions most alike, as an HTML page to read and CSV files to sort.

The engine is :mod:`utils.grading.similarity`; this writes what it returns, in the output folder (see FILES):

- ``ASSIGNMENT_similarity.html``: the report, each pair's shared passages side by side, the shared words marked;
- ``ASSIGNMENT_similarity.csv``: one row per pair, most alike first (:data:`CSV_COLUMNS`);
- ``ASSIGNMENT_similarity_passages.csv``: one row per shared passage of those pairs (:data:`PASSAGE_COLUMNS`);
- ``ASSIGNMENT_similarity_skipped.csv``: one row per notebook not compared, compared in part, or left blank
  (:data:`SKIPPED_COLUMNS`).

Everything a student wrote (answers, folder names, the reasons a notebook was skipped, which name its path) is
escaped in the HTML, and a CSV cell that a spreadsheet would run as a formula (it starts with = + - @) gets a
leading apostrophe. Importing this module is cheap: pandas is imported where a table is made.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from utils.grading import similarity
from utils.grading.similarity import NoSubmissions, plural

if TYPE_CHECKING:  # for the annotations only
    import pandas as pd

__all__ = ["NoSubmissions", "Written", "write_files", "write_report"]

# The pairs CSV, one row per pair, most alike first: rank; student_a and student_b (in alphabetical order); score,
# that of the pair's most alike answer (0 to 1, see similarity.METHOD); kind (prose or code) and answer (its
# grade_id) of that answer; prose_score, code_score, the highest answer score of each kind; shared_prose,
# shared_code, the word pairs and code runs the pair shares in all answers, common material left out;
# aligned_sentences, the sentences aligned in all written answers; answers, what they share in each answer, most
# alike first ("q4_growth (code) 0.686: 131 of 131 code runs shared; ..."); passages, how many rows the pair has
# in the passages CSV.
CSV_COLUMNS = ["rank", "student_a", "student_b", "score", "kind", "answer", "prose_score", "code_score",
               "shared_prose", "shared_code", "aligned_sentences", "answers", "passages"]
# The passages CSV, one row per passage: the pair's rank and students, the answer's grade_id, its kind, and the
# passage of each side as plain text (what the HTML marks is not marked here).
PASSAGE_COLUMNS = ["rank", "student_a", "student_b", "answer", "kind", "text_a", "text_b"]
SKIPPED_COLUMNS = similarity.SKIPPED_COLUMNS  # student, notebook, status (skipped, cut or blank), reason
FILES = {"html": ("{}_similarity.html", "this report"),
         "pairs": ("{}_similarity.csv", "the pairs, one row per pair, most alike first: their scores, what they "
                  "share in each answer, how many passages"),
         "passages": ("{}_similarity_passages.csv", "every shared passage of the pairs listed, one row per passage: "
                      "the pair's rank and students, the answer, its kind, each side's text (unmarked)"),
         "skipped": ("{}_similarity_skipped.csv", "the notebooks not compared, compared in part, or blank, one row "
                     "each: student, notebook, status, reason")}
LABELS = {"html": "report", "pairs": "pairs (CSV, one row per pair)",
          "passages": "shared passages (CSV, one row per passage)",
          "skipped": "notebooks not compared (CSV, one row per notebook)"}
STATUS = {"skipped": "not compared", "cut": "compared in part", "blank": "not compared (no answers)"}
PASSAGES_SHOWN = 8  # per answer of a pair, on the page; the passages CSV has them all
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; table-layout: fixed; }
caption { text-align: left; font-weight: 600; padding: 0.2rem 0; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
thead th { background: #f3f3f3; }
col.rank { width: 4.2rem; } col.score { width: 4.5rem; } col.kind { width: 4.2rem; } col.pair { width: 18%; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
ul.answers { margin: 0; padding-left: 1.1rem; }
table.side td { font-size: 0.92rem; }
table.side th.answer { background: #f7f7f7; font-weight: normal; }
pre { margin: 0; white-space: pre; overflow-x: auto; font-family: ui-monospace, monospace; font-size: 0.86rem;
      line-height: 1.55; }
mark { background: #ffe27a; color: inherit; border-bottom: 2px solid #7a5c00; padding-bottom: 1px; }
pre mark { padding-bottom: 3px; }  /* the line under a mark stays clear of the underscores in names */
.notice { background: #fff8e1; border-left: 4px solid #f0b400; padding: 0.5rem 1rem; }
.key { background: #f5f7fa; border-left: 4px solid #8a9bb0; padding: 0.4rem 0.8rem; }
details > summary { cursor: pointer; font-weight: 600; margin: 1rem 0; }
"""


@dataclass
class Written:
    """The files :func:`write_files` wrote, and the one-line summary of the report."""
    html: Path
    pairs: Path
    passages: Path
    skipped: Path
    summary: str

    def lines(self) -> list[str]:
        """Each file with what it holds, one line each."""
        return [f"{LABELS[name]}: {path}" for name, path in
                (("html", self.html), ("pairs", self.pairs), ("passages", self.passages), ("skipped", self.skipped))]


def _safe_cell(value):
    """A CSV cell a spreadsheet shows as text: a leading apostrophe before what it would run as a formula."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def _safe(table: pd.DataFrame, text: list[str]) -> pd.DataFrame:
    table[text] = table[text].map(_safe_cell) if len(table) else table[text]
    return table


def skipped_table(pairs: pd.DataFrame) -> pd.DataFrame:
    """The notebooks the engine did not compare, compared in part, or found blank, and why (SKIPPED_COLUMNS)."""
    import pandas as pd
    return pd.DataFrame(pairs.attrs.get("skipped", []), columns=SKIPPED_COLUMNS)


def _answers_text(matches: list) -> str:
    return "; ".join(f"{m.answer} ({m.kind}) {m.score:.3f}: {m.summary()}" for m in matches)


def csv_table(pairs: pd.DataFrame) -> pd.DataFrame:
    """The pairs as the rows of the pairs CSV (:data:`CSV_COLUMNS`), one per pair."""
    table = pairs.assign(answers=[_answers_text(m) for m in pairs["answers"]],
                         passages=[len(p) for p in pairs["passages"]])[CSV_COLUMNS].copy()
    table.attrs = {}
    return _safe(table, ["student_a", "student_b", "kind", "answer", "answers"])


def passages_table(pairs: pd.DataFrame) -> pd.DataFrame:
    """Every passage of the listed pairs as the rows of the passages CSV (:data:`PASSAGE_COLUMNS`)."""
    import pandas as pd
    rows = [(p.rank, p.student_a, p.student_b, passage.answer, passage.kind, passage.text_a, passage.text_b)
            for p in pairs.itertuples() for passage in p.passages]
    return _safe(pd.DataFrame(rows, columns=PASSAGE_COLUMNS), PASSAGE_COLUMNS[1:])


def _counts(pairs: pd.DataFrame) -> dict:
    """The figures the summary and the page say: students, pairs, the typical score, the notebooks left out."""
    skipped = skipped_table(pairs)
    typical = pairs.attrs.get("typical")
    return {"students": pairs.attrs.get("students", 0), "submitted": pairs.attrs.get("submitted", 0),
            "listed": len(pairs), "sharing": pairs.attrs.get("sharing", 0), "typical": typical,
            "above": int((pairs["score"] >= typical).sum()) if typical is not None else len(pairs),
            "left_out": int((skipped["status"] != "cut").sum()),
            "cut": int((skipped["status"] == "cut").sum())}


def summary(pairs: pd.DataFrame, assignment: str) -> str:
    """The report in one line: students compared, pairs listed, notebooks left out.

    >>> import pandas as pd
    >>> summary(pd.DataFrame({"score": [0.8, 0.1]}).pipe(lambda t: t.attrs.update(students=3, submitted=4,
    ...     typical=0.1, sharing=2, skipped=[("s", "a4", "blank", "no answers")]) or t), "a4")
    'a4: 3 of 4 students compared, 2 pairs listed (2 at or above the typical score 0.100), 1 notebook not compared'
    """
    c = _counts(pairs)
    text = f"{assignment}: {c['students']:,} of {plural(c['submitted'], 'student')} compared"
    if c["students"] < 2:
        text += ": nothing to compare"
    else:
        text += f", {plural(c['listed'], 'pair')} listed"
        if c["typical"] is not None:
            text += f" ({c['above']:,} at or above the typical score {c['typical']:.3f})"
    if c["left_out"]:
        text += f", {plural(c['left_out'], 'notebook')} not compared"
    if c["cut"]:
        text += f", {plural(c['cut'], 'answer')} compared in part"
    return text


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _marked(pieces: tuple, kind: str) -> str:
    """A passage's pieces as HTML, escaped, the shared ones in <mark>; code in <pre>, as written."""
    text = "".join(f"<mark>{_e(piece)}</mark>" if marked else _e(piece) for piece, marked in pieces)
    return f"<pre>{text}</pre>" if kind == "code" else text


def _answers_list(matches: list) -> str:
    return '<ul class="answers">' + "".join(
        f"<li>{_e(m.answer)} ({_e(m.kind)}) {m.score:.3f}: {_e(m.summary())}</li>" for m in matches) + "</ul>"


def _pairs_table(pairs: pd.DataFrame, caption: str) -> list[str]:
    lines = ['<table class="pairs">', f"<caption>{_e(caption)}</caption>",
             '<colgroup><col class="rank"><col class="pair"><col class="score"><col class="kind"><col></colgroup>',
             '<thead><tr><th scope="col">Rank</th><th scope="col">Pair (to their passages)</th>'
             '<th scope="col">Score</th><th scope="col">Kind</th>'
             '<th scope="col">What they share, answer by answer (most alike first)</th></tr></thead>', "<tbody>"]
    lines += [f'<tr><td class="num">{p.rank}</td><td><a href="#pair-{p.rank}">{_e(p.student_a)} and '
              f'{_e(p.student_b)}</a></td><td class="num">{p.score:.3f}</td><td>{_e(p.kind)}</td>'
              f"<td>{_answers_list(p.answers)}</td></tr>" for p in pairs.itertuples()]
    return [*lines, "</tbody>", "</table>"]


def _shown(match, csv_name: str) -> str:
    """What of an answer's passages the page shows: all, or the first PASSAGES_SHOWN and how many more."""
    aligned = match.kind == "prose" and match.aligned and match.passages
    found = plural(len(match.passages), "aligned sentence" if aligned else "passage")
    if len(match.passages) <= PASSAGES_SHOWN:
        return found
    return f"{found}: {PASSAGES_SHOWN} shown, {len(match.passages) - PASSAGES_SHOWN:,} more not shown (all are in " \
           f"{csv_name})"


def _pair_section(pair, csv_name: str) -> list[str]:
    """One pair's shared passages, side by side, answer by answer, the shared words marked."""
    a, b = _e(pair.student_a), _e(pair.student_b)
    lines = [f'<section id="pair-{pair.rank}">',
             f"<h3>{pair.rank}. {a} and {b}: {pair.score:.3f}, most alike in {_e(pair.answer)} ({_e(pair.kind)})</h3>"]
    if not pair.passages:
        return [*lines, _answers_list(pair.answers), "<p>No passage to show.</p>", "</section>"]
    lines += ['<table class="side">', f"<caption>What {a} and {b} share; <mark>marked</mark> = in both</caption>",
              f'<thead><tr><th scope="col">{a}</th><th scope="col">{b}</th></tr></thead>']
    for match in pair.answers:
        lines += ["<tbody>", f'<tr><th colspan="2" scope="rowgroup" class="answer"><strong>{_e(match.answer)}'
                             f"</strong> ({_e(match.kind)}) {match.score:.3f}: {_e(match.summary())}; "
                             f"{_e(_shown(match, csv_name))}</th></tr>"]
        lines += [f"<tr><td>{_marked(p.a, p.kind)}</td><td>{_marked(p.b, p.kind)}</td></tr>"
                  for p in match.passages[:PASSAGES_SHOWN]]
        lines.append("</tbody>")
    return [*lines, "</table>", "</section>"]


def _intro(c: dict, n_skipped: int) -> str:
    text = f"{plural(c['submitted'], 'student')} submitted; "
    if c["students"] == 0:
        return text + "none has answers: nothing to compare. Those without answers are listed under Notebooks " \
                      "not compared."
    if c["students"] == 1:
        return text + "only one submission has answers: nothing to compare."
    text += f"the answers of {c['students']:,} were compared"
    if n_skipped:
        text += f" ({plural(n_skipped, 'notebook')} not compared, compared in part, or blank: listed at the end)"
    if not c["listed"]:
        return text + ". No two submissions share anything beyond common material."
    sharing = plural(c["sharing"], "pair shares", "pairs share")
    text += f". {sharing} something beyond common material. "
    text += f"The {c['listed']:,} most alike are listed" if c["listed"] < c["sharing"] else "All are listed"
    below = c["listed"] - c["above"]
    return text + (f", most alike first; the {below:,} below the typical score are folded at the end." if below
                   else ", most alike first.")


def html_page(pairs: pd.DataFrame, assignment: str) -> str:
    """The report as one self-contained HTML page: the ranking, each pair's passages, the skipped, the method."""
    method, precise, limits = similarity.method_and_limits(pairs)
    skipped, c = skipped_table(pairs), _counts(pairs)
    names = {key: name.format(assignment) for key, (name, _) in FILES.items()}
    lines = ["<!doctype html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>Answers alike: {_e(assignment)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>",
             f"<h1>Answers alike in {_e(assignment)}: pairs to read, not verdicts</h1>",
             '<p class="notice">A high score says that two submissions share more than the rest of the class '
             "shares. It does not say that anyone copied, nor who from whom: read both submissions, and talk to "
             "the students, before you conclude anything.</p>",
             f"<p>{_e(_intro(c, len(skipped)))} The same as CSV files: see <a href=\"#files\">Files</a>.</p>"]
    if c["students"] >= 2 and c["listed"]:
        typical = c["typical"]
        above, below = pairs[pairs["score"] >= typical], pairs[pairs["score"] < typical]
        lines += ["<h2>Pairs</h2>",
                  '<p class="key">Score: 0 = nothing shared beyond common material, 1 = one answer wholly in the '
                  "other's; a pair scores as its most alike answer. Typical for this class: "
                  f"<strong>{typical:.3f}</strong>, the median of the {plural(c['sharing'], 'pair')} that share "
                  "anything. \"N of M code runs shared\": M is how many the shorter answer has, common material "
                  "left out.</p>"]
        lines += _pairs_table(above, "Pairs at or above the typical score, most alike first")
        if len(below):
            lines.append(f'<p>{plural(len(below), "more pair")} score below the typical {typical:.3f}: '
                         '<a href="#below-typical">folded after the passages</a>.</p>')
        lines += ["<h2>Shared passages</h2>",
                  '<p class="key"><mark>Marked text</mark> (highlighted and underlined) is in both answers: the '
                  "same words or code in the same order, or, in aligned sentences, the words both sentences use. "
                  "Unmarked text is context. Code is shown as the student wrote it, names and all.</p>"]
        for pair in above.itertuples():
            lines += _pair_section(pair, names["passages"])
        if len(below):
            lines += ['<details id="below-typical">',
                      f"<summary>{plural(len(below), 'pair')} below the typical score {typical:.3f} "
                      "(select to open)</summary>",
                      *_pairs_table(below, "Pairs below the typical score, most alike first")]
            for pair in below.itertuples():
                lines += _pair_section(pair, names["passages"])
            lines.append("</details>")
    lines.append("<h2>Notebooks not compared</h2>")
    if len(skipped):
        lines += ["<ul>", *(f"<li>{_e(s.student)} ({_e(s.notebook)}), {_e(STATUS.get(s.status, s.status))}: "
                            f"{_e(s.reason)}</li>" for s in skipped.itertuples()), "</ul>"]
    else:
        lines.append("<p>None: every submitted notebook was read, and had answers.</p>")
    lines += ["<h2>How the pairs are found</h2>", *(f"<p>{_e(p)}</p>" for p in method),
              "<details><summary>The method precisely</summary>", *(f"<p>{_e(p)}</p>" for p in precise),
              "</details>", "<h2>What this cannot see</h2>", "<ul>", *(f"<li>{_e(p)}</li>" for p in limits), "</ul>",
              '<h2 id="files">Files</h2>', "<p>In the folder of this page:</p>", "<ul>",
              *(f"<li>{_e(names[key])}: {_e(what)}</li>" for key, (_, what) in FILES.items()), "</ul>",
              "</body>", "</html>"]
    return "\n".join(lines) + "\n"


def write_files(course: Path, assignment: str, out_dir: Path, top: int = 50) -> Written:
    """Write the report's four files (FILES) in ``out_dir``; returns them, and the one-line :func:`summary`.

    Raises :class:`NoSubmissions` (a ValueError), and writes nothing, if nobody submitted ``assignment``;
    ValueError if it has no release notebook.
    """
    pairs = similarity.similar_pairs(course, assignment, top=top)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {key: out_dir / name.format(assignment) for key, (name, _) in FILES.items()}
    paths["html"].write_text(html_page(pairs, assignment), encoding="utf-8")
    csv_table(pairs).to_csv(paths["pairs"], index=False)
    passages_table(pairs).to_csv(paths["passages"], index=False)
    _safe(skipped_table(pairs), SKIPPED_COLUMNS).to_csv(paths["skipped"], index=False)
    return Written(**paths, summary=summary(pairs, assignment))


def write_report(course: Path, assignment: str, out_dir: Path, top: int = 50) -> tuple[Path, Path]:
    """Write the report (:func:`write_files`); returns (the HTML page, the pairs CSV)."""
    written = write_files(course, assignment, out_dir, top)
    return written.html, written.pairs
