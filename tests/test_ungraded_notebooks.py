"""The ungraded notebooks run headless; the report reads any text, transcripts in many formats, and refuses bad files.

Every other refusal of read_text_file is tested in process, in test_texts.py.
"""

import json
import re

import nbconvert
import nbformat
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


def printed(nb) -> str:
    """Only the printed text (stdout), where the concordance lines are. A cell's stdout is one text: a busy
    kernel may send one print in two outputs, and a line between them would cut a block in two."""
    return "\n".join("".join("".join(out.get("text", "")) for out in cell.get("outputs", [])
                              if out.get("name") == "stdout") for cell in nb["cells"])


def images(nb) -> list[str]:
    """The alt text of every image the notebook shows (None for an image without one)."""
    found = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/png" in data:
                found.append(None)
            found += re.findall(r'<img alt="([^"]*)" src="data:image/png', "".join(data.get("text/html", "")))
    return found


def concordance_block(nb, term) -> list[str]:
    """The aligned lines printed under "term: N hits"."""
    lines = printed(nb).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{term}: "))
    block = []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        block.append(line)
    return block


def assert_aligned(block, node):
    """Every line has the node at the same column, with whole words either side."""
    columns = {re.search(rf"  {re.escape(node.lower())}(  |[.,;:!?)'\"]|$)", line.lower()).start() for line in block}
    assert len(columns) == 1, block


def assert_alt_text_on_every_image(nb, out):
    shown = images(nb)
    assert len(shown) == 3, "dispersion, stance and sentiment"
    assert all(alt and len(alt) > 40 for alt in shown), shown
    assert sorted(p.name for p in out.iterdir()) == [
        "dispersion.png", "dispersion.txt", "sentiment.png", "sentiment.txt", "stance.png", "stance.txt"]


def test_report_on_text_b_against_text_a(tmp_path):
    out = tmp_path / "figures"
    nb = run(REPORT, tmp_path, text_path=str(ROOT / "data/texts/text_b.txt"),
             reference_path=str(ROOT / "data/texts/text_a.txt"), reference_title="Text A", title="Text B",
             output_dir=str(out))
    shown, said = outputs(nb), printed(nb)
    assert "Not a transcript" in said and "Over-used against Text A" in said and "forced displacement" in shown
    assert "The reference has" not in said and "The text has only 351 words" in said  # too small to test
    assert "2 about: not before a number" in said  # "it's about active engagement" is not a hedge
    assert_aligned(concordance_block(nb, "displacement"), "displacement")
    assert_alt_text_on_every_image(nb, out)
    assert "Bar chart comparing Text B and Text A" in (out / "stance.txt").read_text()
    assert "1 are" not in (out / "sentiment.txt").read_text()
    html, _ = nbconvert.HTMLExporter().from_notebook_node(nbformat.from_dict(nb))
    assert "No description has been provided" not in html


def test_report_on_text_a_as_a_transcript(tmp_path):
    out = tmp_path / "figures"
    nb = run(REPORT, tmp_path, text_path=str(ROOT / "data/texts/text_a.txt"), opening_speaker="Sergey Lavrov",
             terms=["secur*", "question", "lavrov"], title="Text A", output_dir=str(out))
    said = printed(nb)
    assert "A transcript: 9 turns by 2 speakers (4 question, 4 answer, 1 statement)." in said
    first_table = next(o for c in nb["cells"] for o in c.get("outputs", []) if "text/html" in o.get("data", {}))
    assert "Sergey Lavrov" in "".join(first_table["data"]["text/plain"])  # the turns come first
    assert "secur*: 9 hits, sorted by right" in said and "lavrov: 0 hits" in said
    assert "question: 1 hit," in said  # "the crimes in question", said by Lavrov; no label is counted
    block = concordance_block(nb, "secur*")
    assert {line.split("  ")[0].strip() for line in block} == {"Sergey Lavrov", "Journalist"}
    speakers = next("".join(o["data"]["text/plain"]) for c in nb["cells"] for o in c.get("outputs", [])
                    if "share_of_words_%" in "".join(o.get("data", {}).get("text/plain", "")))
    assert "Sergey Lavrov" in speakers and "Journalist" in speakers and "whole text" in speakers
    assert_alt_text_on_every_image(nb, out)


@pytest.mark.parametrize("name, parameters, speech, scaffolding", [
    ("state_dept_briefing", {}, "consular", ["laughter", "price", "question", "bass", "2:41", "washington"]),
    ("rev_timestamps", {}, "deadline", ["00", "crosstalk", "inaudible", "speaker"]),
    ("face_the_nation", {"question_roles": ["MARGARET BRENNAN"]}, "allies", ["brennan", "transcript"]),
], ids=lambda v: v if isinstance(v, str) else "")
def test_report_on_transcripts_the_kit_did_not_read_before(tmp_path, name, parameters, speech, scaffolding):
    fixture = ROOT / "tests" / "transcripts" / name
    expected = json.loads(fixture.with_suffix(".json").read_text())
    out = tmp_path / "figures"
    nb = run(REPORT, tmp_path, text_path=str(fixture.with_suffix(".txt")), title=name, output_dir=str(out),
             terms=[speech, *scaffolding], **parameters)
    said = printed(nb)
    speakers = {s for s, _ in expected["turns"]}
    assert f"A transcript: {len(expected['turns'])} turns by {len(speakers)} speakers" in said
    for word in scaffolding:  # labels, timestamps, stage directions and the preamble are not counted
        assert f"\n{word}: 0 hits" in said, word
    assert_aligned(concordance_block(nb, speech), speech)
    table = next("".join(o["data"]["text/plain"]) for c in nb["cells"] for o in c.get("outputs", [])
                 if "share_of_words_%" in "".join(o.get("data", {}).get("text/plain", "")))
    assert all(s in table for s in speakers)
    if name == "face_the_nation":
        assert re.search(r"MARGARET BRENNAN +question", table)
    assert_alt_text_on_every_image(nb, out)


def test_report_output_stays_small_on_a_huge_token(tmp_path):
    text = tmp_path / "token.txt"
    text.write_text("A title\n\n" + "x" * 4_900_000 + "\n\nQuestion: Why?\n\nMR X: Because.", encoding="utf-8")
    nb = run(REPORT, tmp_path, text_path=str(text), output_dir=str(tmp_path / "figures"))
    assert len(json.dumps(nb)) < 400_000
    assert "A transcript: 2 turns by 2 speakers" in printed(nb)


@pytest.mark.parametrize("role", ["text_path", "reference_path"])
def test_report_refuses_a_bad_file_with_a_clear_message(tmp_path, role):
    path = tmp_path / "input.txt"
    path.write_bytes(b"%PDF-1.4\x00\x00")
    files = {"text_path": str(ROOT / "data" / "texts" / "text_b.txt"), role: str(path)}
    with pytest.raises(papermill.PapermillExecutionError) as err:
        run(REPORT, tmp_path, **files, output_dir=str(tmp_path / "figures"))
    assert err.value.ename == "TextFileError"
    assert str(path) in err.value.evalue and "this is a binary file" in err.value.evalue
    assert not (tmp_path / "figures").exists()  # nothing written half-way
