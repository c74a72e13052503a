import nltk
import pytest

from utils import nlp, texts


@pytest.fixture(autouse=True)
def no_downloads(monkeypatch):
    """Nothing in the kit may download: make any attempt fail loudly."""
    def refuse(*args, **kwargs):
        raise AssertionError("nltk.download() was called")
    monkeypatch.setattr(nltk, "download", refuse)
    yield
    for cached in (nlp._sentence_splitter, nlp._stopwords, nlp._vader):
        cached.cache_clear()


def test_words_keep_contractions_hyphens_and_numbers():
    assert nlp.words("I don\u2019t think so; Euro-Atlantic 110 million!") == [
        "i", "don't", "think", "so", "euro-atlantic", "110", "million"]
    assert nlp.words("Ribbentrop?", lower=False) == ["Ribbentrop"]
    assert nlp.words("") == [] and nlp.words("...!?") == []


def test_normalise_typography():
    assert nlp.normalise("\u201cA\u00a0b\u2019s\u2026\u201d \u2013") == '"A b\'s..." -'


def test_word_starts_point_into_the_text():
    text = "We remain open-minded, don't we?"
    starts = nlp.word_starts(text)
    assert len(starts) == len(nlp.words(text)) == 5
    assert [text[s:].split()[0].strip(",?") for s in starts] == ["We", "remain", "open-minded", "don't", "we"]


def test_sentences_offline(offline_nlp):
    a = texts.load_text("a")
    sents = nlp.sentences(a)
    assert len(sents) == 55
    assert "Ribbentrop?" in sents
    assert sents[-1] == "Our Western partners are breakdancing alone so far."
    assert nlp.sentences("Mr. Smith met Dr. Jones in the U.S. today. Then he left.") == [
        "Mr. Smith met Dr. Jones in the U.S. today.", "Then he left."]
    assert nlp.sentences("") == []


def test_sentences_never_cross_paragraphs(offline_nlp):
    assert nlp.sentences("no full stop here\n\nNext paragraph.") == ["no full stop here", "Next paragraph."]


def test_stopwords_offline(offline_nlp):
    words = nlp.stopwords()
    assert len(words) == 179 and {"the", "we", "our", "they", "don't"} <= words
    assert "security" not in words


def test_vader_offline_uses_the_packaged_lexicon(offline_nlp):
    table = nlp.sentiment(["This is a great success.", "They flee their homes in terror.",
                           "The meeting ended at noon."])
    assert list(table.columns) == ["sentence", "neg", "neu", "pos", "compound"]
    assert table.loc[0, "compound"] > 0.5 and table.loc[1, "compound"] < -0.5
    assert table.loc[2, "compound"] == 0
    assert str(nlp.vader_lexicon_dir()) in nltk.data.path


def test_status_names_the_offline_sources(offline_nlp):
    status = nlp.status()["source"]
    assert "untrained" in status["sentences"]
    assert "utils/data" in status["stopwords"]
    assert "vaderSentiment" in status["sentiment"]


def test_real_nltk_data_is_used_when_present(tmp_path, monkeypatch):
    """A real nltk_data folder (here a tiny stopwords corpus) takes precedence over the fallback."""
    corpus = tmp_path / "corpora" / "stopwords"
    corpus.mkdir(parents=True)
    (corpus / "english").write_text("alpha\nbeta\n")
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)] + list(nltk.data.path))
    monkeypatch.delenv("WORDSNUMS_OFFLINE_NLP", raising=False)
    nlp._stopwords.cache_clear()
    assert nlp.stopwords() == {"alpha", "beta"}
    assert nlp.status().loc["stopwords", "source"] == "nltk_data stopwords"
    monkeypatch.setenv("WORDSNUMS_OFFLINE_NLP", "1")
    assert "the" in nlp.stopwords()  # forced offline: the kit's list, even with nltk_data present
