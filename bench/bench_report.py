"""Benchmark: the report on any text (notebooks/read_any_text.ipynb) on a transcript at the size limit.

Run: .venv/bin/python bench/bench_report.py [--bytes 5000000]

The transcript is built deterministically from the course texts: Text A's question-and-answer
turns in a seeded random order, with labels in three formats ("Question:", "SERGEY LAVROV:",
"Speaker 2 (00:06):"), a stage direction every 50 turns, and Text B's paragraphs as a host's
statements, cut to exactly ``--bytes`` bytes. The report runs with papermill, as a teacher runs it,
against Text B as the reference, ``--runs`` times (5). Printed: the wall-clock time of each run (kernel
start included) and their median, the median run's cells and the slowest of them, and the size of the
output notebook.
"""

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

import papermill

from utils import paths, texts, transcripts

REPORT = Path(__file__).resolve().parent.parent / "notebooks" / "read_any_text.ipynb"


def transcript(n_bytes: int, seed: int = 7) -> str:
    turns = transcripts.parse(texts.load_text("a"), opening_speaker="Sergey Lavrov").turns
    answers = turns.groupby("turn").agg(role=("role", "first"), text=("text", "\n\n".join))
    questions = answers.loc[answers["role"] == "question", "text"].tolist()
    replies = answers.loc[answers["role"] != "question", "text"].tolist()
    host = texts.paragraphs(texts.load_text("b"))
    rng = random.Random(seed)
    out, size, k = ["Press conference, 10 June 2022 (a benchmark transcript)"], 0, 0
    while size < n_bytes:
        k += 1
        asker = rng.choice(["Question:", "QUESTION:", "Speaker 2 (00:06):"])
        answerer = rng.choice(["Sergey Lavrov:", "SERGEY LAVROV:"])
        block = [f"{asker} {rng.choice(questions)}", f"{answerer} {rng.choice(replies)}"]
        if k % 50 == 0:
            block.append("(Laughter.)")
        if k % 7 == 0:
            block.append(f"HOST: {rng.choice(host)}")
        piece = "\n\n".join(block)
        out.append(piece)
        size += len(piece.encode("utf-8")) + 2
    return "\n\n".join(out).encode("utf-8")[:n_bytes].decode("utf-8", "ignore")


def run(text: Path, tmp: Path) -> tuple[float, dict]:
    """One papermill run of the report on ``text`` against Text B: its wall-clock time and output notebook."""
    start = time.perf_counter()
    nb = papermill.execute_notebook(str(REPORT), str(tmp / "report.ipynb"), cwd=str(REPORT.parent),
                                    kernel_name="python3", progress_bar=False, parameters={
                                        "text_path": str(text), "title": "Benchmark transcript",
                                        "reference_path": str(paths.texts_dir() / "text_b.txt"),
                                        "reference_title": "Text B", "output_dir": str(tmp / "figures")})
    return time.perf_counter() - start, nb


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bytes", type=int, default=texts.MAX_TEXT_BYTES)
    parser.add_argument("--runs", type=int, default=5, help="runs to take the median of (the machine is noisy)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        text = Path(tmp) / "transcript.txt"
        text.write_text(transcript(args.bytes), encoding="utf-8")
        runs = [run(text, Path(tmp)) for _ in range(args.runs)]
        walls = [wall for wall, _ in runs]
        wall, nb = sorted(runs, key=lambda r: r[0])[len(runs) // 2]  # the median run
        durations = [(cell["metadata"]["papermill"].get("duration") or 0.0, cell["source"].splitlines()[0])
                     for cell in nb["cells"] if cell["cell_type"] == "code"]
        said = "".join(out.get("text", "") for cell in nb["cells"] for out in cell.get("outputs", [])
                       if out.get("name") == "stdout")
        print(f"text: {text.stat().st_size:,} bytes; {said.splitlines()[1] if len(said.splitlines()) > 1 else ''}")
        print(f"report, papermill wall-clock (kernel start included), {len(walls)} runs: "
              f"{', '.join(f'{w:.1f}' for w in walls)} s; median {statistics.median(walls):.1f} s")
        print(f"the median run's cells: {sum(d for d, _ in durations):.1f} s; the slowest:")
        for seconds, first_line in sorted(durations, reverse=True)[:6]:
            print(f"  {seconds:5.2f} s  {first_line[:70]}")
        print(f"output notebook: {len(json.dumps(nb)):,} bytes")


if __name__ == "__main__":
    main()
