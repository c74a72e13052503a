"""The ungraded notebooks run headless; the report notebook works on any text and refuses bad files."""

import json

import papermill
import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
REPORT = ROOT / "notebooks" / "read_any_text.ipynb"


def outputs(nb) -> str:
    """Everything the notebook showed: printed text and the HTML of tables."""
    parts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", "") if isinstance(out.get("text", ""), str) else "".join(out["text"]))
            parts.append("".join(out.get("data", {}).get("text/html", "")))
    return "\n".join(parts)


def run(path, tmp_path, **parameters):
    return papermill.execute_notebook(str(path), str(tmp_path / path.name), cwd=str(path.parent),
                                      parameters=parameters, kernel_name="python3", progress_bar=False)


def test_there_are_the_three_notebooks():
    assert {p.stem for p in NOTEBOOKS} == {"orientation", "instructor_guide", "read_any_text"}
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text())
        assert not any(c.get("outputs") for c in nb["cells"]), f"{path.name}: commit without outputs"


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p != REPORT], ids=lambda p: p.stem)
def test_notebook_runs_headless(path, tmp_path):
    nb = run(path, tmp_path)
    shown = outputs(nb)
    if path.stem == "orientation":
        assert "Everything is in place." in shown and "The check says:" in shown
    if path.stem == "instructor_guide":
        assert "a4_synthesis" in shown and "<table" in shown


def test_report_on_text_b_against_text_a(tmp_path):
    out = tmp_path / "figures"
    nb = run(REPORT, tmp_path, text_path=str(ROOT / "data/texts/text_b.txt"),
             reference_path=str(ROOT / "data/texts/text_a.txt"), title="Text B", output_dir=str(out))
    shown = outputs(nb)
    assert "Words key for this text" in shown and "displacement" in shown and "<table" in shown
    assert "not a transcript" in shown
    assert sorted(p.name for p in out.iterdir()) == ["sentiment.png", "sentiment.txt", "stance.png", "stance.txt"]
    assert (out / "stance.png").stat().st_size > 10_000
    assert "Bar chart for Text B" in (out / "stance.txt").read_text()


def test_report_on_a_transcript_the_test_writes(tmp_path):
    text = tmp_path / "hearing.txt"
    text.write_text("Chair: Welcome to this hearing on water policy.\n\n"
                    "Question: Will the city raise water prices? Why now?\n\n"
                    "Jane Doe: We must, clearly. Perhaps not this year.\n\n"
                    "We will consult residents first.\n", encoding="utf-8")
    out = tmp_path / "figures"
    nb = run(REPORT, tmp_path, text_path=str(text), title="Hearing", output_dir=str(out))
    shown = outputs(nb)
    assert "Jane Doe" in shown and "Journalist" in shown and "<table" in shown
    assert "most frequent words" in shown
    assert (out / "sentiment.png").is_file() and (out / "stance.png").is_file()


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    (b"", "the file is empty"),
    (b"%PDF-1.4\x00\x00", "this is a binary file"),
    ("na\u00efve".encode("latin-1"), "not UTF-8 text"),
    ("Hello there.".encode("utf-16"), "this file is UTF-16 text"),
    (b"... !!! ---", "the file has no words"),
    (b"word " * 1_000_001, "5,000,005 bytes is more than the limit of 5,000,000"),
])
@pytest.mark.parametrize("role", ["text_path", "reference_path"])
def test_report_refuses_bad_files_with_a_clear_message(tmp_path, content, message, role):
    path = tmp_path / "input.txt"
    if content is not None:
        path.write_bytes(content)
    files = {"text_path": str(ROOT / "data" / "texts" / "text_b.txt"), role: str(path)}
    with pytest.raises(papermill.PapermillExecutionError) as err:
        run(REPORT, tmp_path, **files, output_dir=str(tmp_path / "figures"))
    assert err.value.ename == "TextFileError"
    assert str(path) in err.value.evalue and message in err.value.evalue
    assert not (tmp_path / "figures").exists()  # nothing written half-way
