import hashlib
import re

import pandas as pd

from utils import paths, texts
from utils.course import scrape


def test_raw_file_matches_its_data_card(root):
    raw = paths.raw_scrape_path().read_bytes()
    card = (root / "data" / "raw" / "README.md").read_text()
    assert hashlib.sha256(raw).hexdigest() in card
    assert re.search(rf"{len(raw):,} bytes|{len(raw)} bytes", card)


def test_split_documents_at_the_boundary():
    docs = scrape.split_documents(texts.load_raw())
    assert [d.text_id for d in docs] == ["text_a", "text_b"]
    assert docs[0].lines[0] == "June 10, 2022"
    assert docs[1].first_line == 40  # the line after "Share the Post:"
    assert all(scrape.BOUNDARY not in line for d in docs for line in d.lines)


def test_regenerated_texts_equal_the_committed_ones(tmp_path):
    written = scrape.write_clean_texts(paths.raw_scrape_path(), tmp_path)
    assert len(written) == 4
    for path in written:
        assert path.read_bytes() == (paths.texts_dir() / path.name).read_bytes(), path.name


def test_clean_texts_have_no_scrape_artefacts_but_keep_typography():
    a, b = texts.load_text("a"), texts.load_text("b")
    for text in (a, b):
        assert "\u00a0" not in text and "Share the Post:" not in text
        assert not any(line != line.rstrip() for line in text.splitlines())
    assert "urgency of international cooperation" in b and "ofinternational" not in b
    assert "compliance remains inconsistent." in b
    assert "\u2019" in a and "\u2026" in a  # curly quotes and the ellipsis stay visible
    assert len(texts.paragraphs(a)) == 17 and len(texts.paragraphs(b)) == 6


def test_edit_log_lists_every_kind_of_edit():
    log = texts.edit_log()
    assert list(log.columns) == scrape.EDIT_COLUMNS
    kinds = log["edit"].value_counts().to_dict()
    assert kinds == {"non-breaking space replaced": 8, "header line moved to metadata": 3,
                     "trailing whitespace removed": 1, "boundary line removed": 1,
                     "missing space inserted": 1, "broken paragraph joined": 1, "final newline added": 1}
    # every NBSP of the raw file is accounted for in the log
    assert log["before"].str.count("<NBSP>").sum() == texts.load_raw().count("\u00a0")
    boundary = log[log["edit"] == "boundary line removed"].iloc[0]
    assert texts.load_raw().split("\n")[boundary["raw_line"] - 1] == "Share the Post:"


def test_metadata_has_provenance():
    meta = texts.metadata()
    assert meta.loc["text_a", "date"] == "June 10, 2022"
    assert meta.loc["text_b", "date"] == "undated"
    assert meta.loc["text_b", "speaker_or_author"] == "Wilson Center"
    assert "breakdancing alone" in meta.loc["text_a", "title"]
    assert set(meta["raw_sha256"]) == {hashlib.sha256(paths.raw_scrape_path().read_bytes()).hexdigest()}
    assert pd.Timestamp(meta.loc["text_a", "date"]) == pd.Timestamp("2022-06-10")


def test_clean_scrape_on_a_small_scrape():
    raw = "1 May 2020\n\nTitle\n\nFirst\u00a0para \nbroken\n\nShare the Post:\n\nBy Someone\n\nB text ofinternational\n"
    clean = scrape.clean_scrape(raw)
    assert clean.texts["text_a"] == "First para broken\n"
    assert clean.texts["text_b"] == "B text of international\n"
    assert clean.metadata.set_index("text_id").loc["text_b", "speaker_or_author"] == "By Someone"
    assert set(clean.edits["edit"]) >= {"broken paragraph joined", "missing space inserted",
                                        "non-breaking space replaced", "boundary line removed"}
