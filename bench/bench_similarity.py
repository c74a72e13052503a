"""Benchmark: `wordsnums similarity` on a synthetic class of 2,000 submissions of A4 (a4_synthesis).

Run: .venv/bin/python bench/bench_similarity.py [--students 2000] [--top 50] [--copies 15]

The class is built from the release notebook, as tests/similarity_class.py builds its small one. Each honest
essay (about 300 words) is drawn at random from the words of the test class's essays and of the two texts,
in their proportions (so frequent words pair up often, as in real essays on one prompt), with four quotations
of the texts from a pool of twelve that the whole class shares; each student's code is one of the test class's
ways for every question (each shared by hundreds) and, for Q4, a few lines of their own. Planted among them,
``--copies`` of each: an essay copied with one sentence changed, an essay paraphrased (a third of each
sentence's content words replaced), Q4's code copied with the variables renamed and the spacing changed;
and one notebook of broken JSON.

It runs the command as the instructor does (`python -m utils.instructor.cli similarity a4_synthesis --course
... --top N`) and prints its wall-clock time and its peak memory (resident set, from the kernel's accounting
of the finished child), the pairs it ranked and how many planted pairs are in the top N: all must be, and the
broken notebook listed as skipped, or the script exits 1 (NOT A VALID MEASUREMENT).
"""

import argparse
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import nbformat
import pandas as pd

from utils import nlp, paths, texts

sys.path.insert(0, str(paths.course_root() / "tests"))
from similarity_class import A4, CODE, ESSAYS, QUESTIONS, copy_course, filled_in, write_submission  # noqa: E402

N_QUOTES = 4


def vocabulary() -> tuple[list[str], list[int]]:
    """The words of the test class's essays and of the two texts, with how often each occurs."""
    counts = Counter(nlp.words(" ".join(ESSAYS.values()) + texts.load_text("a") + texts.load_text("b")))
    return list(counts), list(counts.values())


def quotations(rng: random.Random, n: int = 12) -> list[str]:
    """``n`` passages of five to nine words of the texts, the pool the class quotes from."""
    sentences = nlp.sentences(texts.load_text("a")) + nlp.sentences(texts.load_text("b"))
    pool = []
    while len(pool) < n:
        words = rng.choice(sentences).split()
        if len(words) > 9:
            start = rng.randrange(len(words) - 9)
            pool.append(" ".join(words[start:start + rng.randint(5, 9)]).strip(".,;:!?"))
    return pool


def essay(rng: random.Random, words: tuple[list[str], list[int]], quotes: list[str]) -> str:
    """About 300 random words in sentences of 10 to 22, with N_QUOTES quotations of the texts among them."""
    sentences = []
    for _ in range(rng.randint(15, 18)):
        drawn = rng.choices(*words, k=rng.randint(10, 22))
        sentences.append(" ".join(drawn).capitalize() + ".")
    for quote in rng.sample(quotes, N_QUOTES):
        i = rng.randrange(len(sentences))
        sentences[i] = sentences[i][:-1] + f', as the text says: "{quote}".'
    return "\n".join(" ".join(sentences[i:i + 4]) for i in range(0, len(sentences), 4))


def paraphrased(rng: random.Random, text: str, words: tuple[list[str], list[int]]) -> str:
    """``text`` with a third of its content words (outside quotations) replaced by others."""
    stops = nlp.stopwords()
    parts = re.split(r'("[^"]*")', text)
    for i in range(0, len(parts), 2):  # the even parts are outside quotation marks
        parts[i] = re.sub(nlp.WORD_PATTERN, lambda m: rng.choices(*words)[0] if m.group().lower() not in stops
                          and rng.random() < 0.33 else m.group(), parts[i])
    return "".join(parts)


def own_code(rng: random.Random) -> str:
    """A few lines of Q4 a student writes their own way: random columns, calls, operators and constants."""
    methods = ["sum", "mean", "max", "min", "median", "diff", "cumsum", "abs", "round", "pct_change", "fillna"]
    lines = []
    for _ in range(rng.randint(3, 6)):
        columns = ", ".join(f"PARTS[{i}]" for i in rng.sample(range(5), rng.randint(1, 3)))
        calls = "".join(f".{m}()" for m in rng.sample(methods, rng.randint(1, 3)))
        name = rng.choice(["tot", "part", "x", "val", "step", "grow"]) + str(rng.randint(0, 99))
        lines.append(f'{name} = yearly.loc[yearly["year"] {rng.choice([">=", "<", "=="])} {rng.randint(1990, 2025)}, '
                     f'[{columns}]]{calls} {rng.choice("+-*/")} {rng.randint(1, 99)}')
    return "\n".join(lines)


def renamed(code: str, rng: random.Random) -> str:
    """``code`` with its own names renamed and its spacing changed, as a copier disguises it."""
    own = set(re.findall(r"^(\w+) =", code, flags=re.M)) - {"share_years_10m"}  # the name Q4 prescribes stays
    for name in sorted(own, key=len, reverse=True):
        code = re.sub(rf"\b{name}\b", f"my_{name[::-1]}{rng.randint(0, 9)}", code)
    return "# my own work\n" + code.replace(" = ", "  =  ").replace(", ", " , ")


def build_class(course: Path, n_students: int, copies: int, seed: int = 7) -> set[tuple[str, str]]:
    """Write the synthetic class into ``course``; returns the planted pairs (student ids, in order)."""
    rng = random.Random(seed)
    words, quotes = vocabulary(), quotations(rng)
    release_nb = nbformat.read(course / "release" / A4 / f"{A4}.ipynb", as_version=4)
    students = [f"s{i:04d}" for i in range(n_students)]
    answers = {}
    for student in students:
        filled = {q: rng.choice(CODE[q][:5]) for q in QUESTIONS}
        filled["q4_growth"] += "\n" + own_code(rng)
        filled["q7_essay"] = f'essay = """\n{essay(rng, words, quotes)}\n"""'
        answers[student] = filled
    planted = set()
    plant = iter(rng.sample(range(n_students), 6 * copies))
    for kind in ("copy", "paraphrase", "code"):
        for _ in range(copies):
            source, copier = students[next(plant)], students[next(plant)]
            planted.add(tuple(sorted((source, copier))))
            original = answers[source]
            if kind == "copy":
                lines = original["q7_essay"].split("\n")
                lines[2] = lines[2][: len(lines[2]) // 2] + " This sentence is my own."
                answers[copier]["q7_essay"] = "\n".join(lines)
            elif kind == "paraphrase":
                answers[copier]["q7_essay"] = paraphrased(rng, original["q7_essay"], words)
            else:
                answers[copier]["q4_growth"] = renamed(original["q4_growth"], rng)
    for student in students:
        write_submission(course, student, filled_in(release_nb, answers[student]))
    broken = course / "submitted" / students[0] / A4 / f"{A4}.ipynb"
    broken.write_text(broken.read_text()[:3000])
    planted = {pair for pair in planted if students[0] not in pair}
    return planted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--top", type=int, default=50)
    parser.add_argument("--copies", type=int, default=15, help="planted pairs of each kind")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        course = copy_course(paths.course_root(), Path(tmp) / "course")
        start = time.perf_counter()
        planted = build_class(course, args.students, args.copies)
        print(f"{args.students} students of {A4} written in {time.perf_counter() - start:.1f} s; "
              f"{len(planted)} planted pairs")
        start = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "utils.instructor.cli", "similarity", A4, "--course", course,
                              "--out", Path(tmp) / "reports", "--top", str(args.top)], capture_output=True, text=True)
        took = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
        if run.returncode:
            print(run.stdout + run.stderr)
            return 1
        pairs = pd.read_csv(Path(tmp) / "reports" / f"{A4}_similarity.csv")
        skipped = len(pd.read_csv(Path(tmp) / "reports" / f"{A4}_similarity_skipped.csv"))
        found = {tuple(sorted(p)) for p in zip(pairs["student_a"], pairs["student_b"], strict=True)} & planted
        lowest = pairs[[tuple(sorted(p)) in planted for p in zip(pairs["student_a"], pairs["student_b"],
                                                                 strict=True)]]["rank"].max()
        print(f"wordsnums similarity: {took:.1f} s wall-clock, peak memory {peak:.0f} MiB (resident set)")
        print("  " + run.stdout.splitlines()[0])  # its summary line
        print(f"  {len(pairs)} pairs ranked; planted pairs in the top {args.top}: {len(found)} of {len(planted)} "
              f"(the last at rank {lowest}); next score after them: "
              f"{pairs[pairs['rank'] > lowest]['score'].max():.3f}; notebooks skipped: {skipped}")
        if len(found) < len(planted) or skipped != 1:
            print("NOT A VALID MEASUREMENT: every planted pair must be ranked, and the broken notebook skipped")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
