import pytest

from utils import texts


def test_load_text_names():
    assert texts.load_text("a") == texts.load_text("text_a") == texts.load_text("A")
    assert texts.load_text("b").startswith("Forced displacement represents")
    with pytest.raises(KeyError, match="use 'a'"):
        texts.load_text("c")


def test_parse_turns_of_text_a():
    turns = texts.parse_turns(texts.load_text("a"))
    assert list(turns.columns) == texts.TURN_COLUMNS
    assert len(turns) == 17 and turns["turn"].max() == 8
    roles = turns.groupby("turn")["role"].first().tolist()
    assert roles == ["statement"] + ["question", "answer"] * 4
    assert set(turns.loc[turns["role"] == "question", "speaker"]) == {"Journalist"}
    assert set(turns.loc[turns["role"] != "question", "speaker"]) == {"Sergey Lavrov"}
    assert turns["paragraph"].tolist() == list(range(1, 18))
    assert not turns["text"].str.match(r"(Question|Sergey Lavrov):").any()
    assert turns[turns["turn"] == 8]["text"].iloc[0] == "Do they compare me with anyone? Ribbentrop?"


def test_parse_turns_of_other_transcripts():
    text = "Opening words.\n\nQ: Why?\n\nJane Doe: Because.\n\nMore of it.\n\nJohn Roe: And I add."
    turns = texts.parse_turns(text, default_speaker="Host")
    assert turns[["turn", "speaker", "role"]].values.tolist() == [
        [0, "Host", "statement"], [1, "Journalist", "question"], [2, "Jane Doe", "answer"],
        [2, "Jane Doe", "answer"], [3, "John Roe", "statement"]]


def test_parse_turns_of_empty_text():
    assert texts.parse_turns("").empty


@pytest.mark.parametrize("content, message", [
    (b"", "the file is empty. Save the text into it first."),
    (b"%PDF-1.7\x00\x01binary", "this is a binary file (a PDF, Word or image file?), not plain text."),
    ("Caf\u00e9 au lait\nline two \u00e9".encode("latin-1"), "line 1: not UTF-8 text (byte 0xe9)."),
    (b"... !!! ???", "the file has no words, only spaces or punctuation."),
])
def test_read_text_file_refuses_bad_files(tmp_path, content, message):
    path = tmp_path / "t.txt"
    path.write_bytes(content)
    with pytest.raises(texts.TextFileError) as err:
        texts.read_text_file(path)
    assert str(err.value).startswith(str(path)) and message in str(err.value)


def test_read_text_file_limits_and_missing(tmp_path):
    with pytest.raises(texts.TextFileError, match="no such file"):
        texts.read_text_file(tmp_path / "missing.txt")
    big = tmp_path / "big.txt"
    big.write_text("word " * 100)
    with pytest.raises(texts.TextFileError, match="more than the limit of 50"):
        texts.read_text_file(big, max_bytes=50)
    windows = tmp_path / "w.txt"
    windows.write_bytes("\ufeffOne.\r\n\r\nTwo.".encode("utf-8"))
    assert texts.read_text_file(windows) == "One.\n\nTwo."


def test_cleaned_texts_end_with_one_line_break_logged_where_the_raw_has_none():
    raw = texts.load_raw()
    for name in ("a", "b"):
        text = texts.load_text(name)
        assert text.endswith("\n") and not text.endswith("\n\n"), name
    # Text A's last line ends with a line break in the raw file (the boundary line follows it);
    # the raw file ends without one, so text_b.txt gains one, and the edit log says so
    assert raw.split("Share the Post:")[0].endswith("\n") and not raw.endswith("\n")
    log = texts.edit_log()
    added = log[log["edit"] == "final newline added"]
    assert added[["text_id", "raw_line"]].values.tolist() == [["text_b", raw.count("\n") + 1]]
    before, after = added[["before", "after"]].iloc[0]
    assert after == before + "<LF>" and raw.endswith(before)
    assert texts.load_text("b").endswith(before + "\n")


def test_text_b_byline_is_kept_as_printed_and_marked_unverified(root):
    meta = texts.metadata()
    assert meta.loc["text_b", "speaker_or_author"] == "Wilson Center"  # the header line as printed
    source = meta.loc["text_b", "source"]
    assert "as printed in the scrape, unverified" in source and "bcfausa.org" in source
    for card in (root / "data" / "raw" / "README.md", root / "data" / "texts" / "README.md"):
        assert "as printed in the scrape, unverified" in card.read_text(), card
    dating = (root / "data" / "texts" / "README.md").read_text()
    assert "14 June 2023" in dating and "late October 2023" in dating and "114 million" in dating
