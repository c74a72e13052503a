"""The similarity report: the pairs of submissions most alike, as an HTML page to read and a CSV to sort.

The engine is :mod:`utils.grading.similarity`; this writes what it returns. Everything a student wrote (answers,
folder names, the reasons a notebook was skipped, which name its path) is escaped in the HTML, and a CSV cell
that a spreadsheet would run as a formula (it starts with = + - @) gets a leading apostrophe.
"""

import html
from pathlib import Path

import pandas as pd

from utils.grading import similarity

# The CSV's columns. One row per pair, most alike first: rank; student_a and student_b (in alphabetical order);
# score, the higher of prose_score and code_score (0 to 1, see similarity.METHOD); kind, which of the two it is
# (prose or code); shared_prose, shared_code, the shingles the pair shares that are not common material;
# aligned_sentences, the sentences of the shorter prose that align with the other's; answers, the grade_ids
# they share something in; passages_a, passages_b, the shared passages of each side, in the same order, a blank
# line between. Then one row per notebook not compared (kind "skipped") or compared in part (kind "cut"): the
# student in student_a, the notebook in answers, why in note.
CSV_COLUMNS = ["rank", "student_a", "student_b", "score", "kind", "prose_score", "code_score", "shared_prose",
               "shared_code", "aligned_sentences", "answers", "passages_a", "passages_b", "note"]
COUNTS = ["rank", "shared_prose", "shared_code", "aligned_sentences"]
NUMBERS = [*COUNTS, "score", "prose_score", "code_score"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PASSAGE_BREAK = "\n\n"
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.side td { width: 45%; white-space: pre-wrap; font-size: 0.92rem; }
table.side td.answer { width: 10%; white-space: normal; }
td.code { font-family: ui-monospace, monospace; }
.notice { background: #fff8e1; border-left: 4px solid #f0b400; padding: 0.5rem 1rem; }
"""


def _safe_cell(value):
    """A CSV cell a spreadsheet shows as text: a leading apostrophe before what it would run as a formula."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def skipped_table(pairs: pd.DataFrame) -> pd.DataFrame:
    """The notebooks the engine did not compare, or compared in part, and why (similarity.SKIPPED_COLUMNS)."""
    return pd.DataFrame(pairs.attrs.get("skipped", []), columns=similarity.SKIPPED_COLUMNS)


def csv_table(pairs: pd.DataFrame) -> pd.DataFrame:
    """The pairs and the skipped notebooks as the rows of the CSV (:data:`CSV_COLUMNS`)."""
    rows = pairs.drop(columns="passages").assign(
        passages_a=[PASSAGE_BREAK.join(p[2] for p in passages) for passages in pairs["passages"]],
        passages_b=[PASSAGE_BREAK.join(p[3] for p in passages) for passages in pairs["passages"]], note="")
    skipped = skipped_table(pairs)
    rows.attrs = {}
    skipped_rows = pd.DataFrame({"student_a": skipped["student"], "kind": skipped["status"],
                                 "answers": skipped["notebook"], "note": skipped["reason"]})
    table = pd.concat([rows, skipped_rows], ignore_index=True) if len(skipped_rows) else rows
    table = table.reindex(columns=CSV_COLUMNS).astype({column: "Int64" for column in COUNTS})
    text = [column for column in CSV_COLUMNS if column not in NUMBERS]
    table[text] = table[text].map(_safe_cell)
    return table


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _pairs_table(pairs: pd.DataFrame) -> list[str]:
    lines = ["<table>", "<tr><th>rank</th><th>students</th><th>score</th><th>kind</th><th>prose</th><th>code</th>"
             "<th>answers alike</th></tr>"]
    lines += [f'<tr><td class="num"><a href="#pair-{p.rank}">{p.rank}</a></td><td>{_e(p.student_a)} and '
              f'{_e(p.student_b)}</td><td class="num">{p.score:.3f}</td><td>{_e(p.kind)}</td>'
              f'<td class="num">{p.prose_score:.3f}</td><td class="num">{p.code_score:.3f}</td>'
              f"<td>{_e(p.answers)}</td></tr>" for p in pairs.itertuples()]
    return [*lines, "</table>"]


def _pair_section(pair) -> list[str]:
    """One pair's shared passages, side by side."""
    lines = [f'<section id="pair-{pair.rank}">',
             f"<h3>{pair.rank}. {_e(pair.student_a)} and {_e(pair.student_b)}: {pair.score:.3f} ({_e(pair.kind)})</h3>",
             f"<p>Prose {pair.prose_score:.3f} ({pair.shared_prose} shared word pairs, {pair.aligned_sentences} "
             f"aligned sentences); code {pair.code_score:.3f} ({pair.shared_code} shared runs of tokens).</p>"]
    if not pair.passages:
        return [*lines, "<p>No passage to show.</p>", "</section>"]
    lines += ['<table class="side">',
              f"<tr><th>answer</th><th>{_e(pair.student_a)}</th><th>{_e(pair.student_b)}</th></tr>"]
    for answer, kind, text_a, text_b in pair.passages:
        style = ' class="code"' if kind == "code" else ""
        lines.append(f'<tr><td class="answer">{_e(answer)} ({_e(kind)})</td><td{style}>{_e(text_a)}</td>'
                     f"<td{style}>{_e(text_b)}</td></tr>")
    return [*lines, "</table>", "</section>"]


def html_page(pairs: pd.DataFrame, assignment: str) -> str:
    """The report as one self-contained HTML page: the ranking, each pair's passages, the skipped, the method."""
    method, limits = similarity.method_and_limits(pairs)
    skipped = skipped_table(pairs)
    students = pairs.attrs.get("students", 0)
    lines = ["<!doctype html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             f"<title>Answers alike: {_e(assignment)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>",
             f"<h1>Answers alike in {_e(assignment)}: pairs to read, not verdicts</h1>",
             '<p class="notice">A high score says that two submissions share more than the rest of the class '
             "shares. It does not say that anyone copied, nor who from whom: read both submissions, and talk to "
             "the students, before you conclude anything.</p>",
             f"<p>{pairs.attrs.get('submitted', students)} students submitted, {students} with answers to compare; "
             f"the {len(pairs)} pairs most alike, most alike first. Notebooks not compared, or compared in part: "
             f"{len(skipped)} (listed below).</p>",
             "<h2>Pairs</h2>"]
    lines += _pairs_table(pairs) if len(pairs) else ["<p>No two submissions share anything beyond common material."
                                                     "</p>"]
    lines.append("<h2>Shared passages</h2>")
    for pair in pairs.itertuples():
        lines += _pair_section(pair)
    lines.append("<h2>Notebooks not compared</h2>")
    if len(skipped):
        lines += ["<ul>", *(f"<li>{_e(s.student)} ({_e(s.notebook)}): {_e(s.reason)}</li>"
                            for s in skipped.itertuples()), "</ul>"]
    else:
        lines.append("<p>None: every submitted notebook was read.</p>")
    lines += ["<h2>How the pairs are found</h2>", *(f"<p>{_e(p)}</p>" for p in method),
              "<h2>What this cannot see</h2>", "<ul>", *(f"<li>{_e(p)}</li>" for p in limits), "</ul>",
              "</body>", "</html>"]
    return "\n".join(lines) + "\n"


def write_report(course: Path, assignment: str, out_dir: Path, top: int = 50) -> tuple[Path, Path]:
    """Write ``ASSIGNMENT_similarity.html`` and ``ASSIGNMENT_similarity.csv`` in ``out_dir``; returns (html, csv).

    Raises ValueError, and writes nothing, if nobody submitted ``assignment`` (or it has no release notebook).
    """
    pairs = similarity.similar_pairs(course, assignment, top=top)
    out_dir.mkdir(parents=True, exist_ok=True)
    page, table = out_dir / f"{assignment}_similarity.html", out_dir / f"{assignment}_similarity.csv"
    page.write_text(html_page(pairs, assignment), encoding="utf-8")
    csv_table(pairs).to_csv(table, index=False)
    return page, table
