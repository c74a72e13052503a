"""Benchmark: tokenising, keyness, collocates and KWIC on a corpus of about one million words.

Run: .venv/bin/python bench/bench_rhetoric.py [--tokens 1000000]

The corpus is built deterministically from the two course texts: their sentences in a
seeded random order, with every 40th word given one of 20,000 numbered variants so the
vocabulary is as large as a real corpus's. The plain approaches measured in the same run:
keyness from nltk FreqDist with a Python loop over the vocabulary, and collocates from
nltk's BigramCollocationFinder (window 5) scored by its likelihood ratio and PMI. Both
keyness ways produce the same table (the script checks the top word and its G2); the
plain one loops over the vocabulary in Python and collects rows into a DataFrame.
"""

import argparse
import math
import random
import time

import pandas as pd
from nltk import FreqDist
from nltk.collocations import BigramAssocMeasures, BigramCollocationFinder

from utils import keyness, nlp, reading, texts


def corpus_text(n_tokens: int, seed: int = 7) -> str:
    sentences = nlp.sentences(texts.load_text("a")) + nlp.sentences(texts.load_text("b"))
    rng = random.Random(seed)
    out, count, k = [], 0, 0
    while count < n_tokens:
        sentence = rng.choice(sentences)
        words = sentence.split()
        for i in range(0, len(words), 40):
            k += 1
            words[i] = f"{words[i]}{k % 20000}"
        out.append(" ".join(words))
        count += len(words)
    return "\n\n".join(" ".join(out[i:i + 8]) for i in range(0, len(out), 8))


def plain_keyness(target, reference):
    """The plain way: FreqDist counts and a Python loop over the vocabulary."""
    return plain_keyness_from_counts(FreqDist(target), FreqDist(reference))


def plain_keyness_from_counts(ft, fr):
    """The kit's table, built the plain way: one word at a time, rows into a DataFrame."""
    c, d = ft.N(), fr.N()
    rows = []
    for word in set(ft) | set(fr):
        a, b = ft[word], fr[word]
        e1, e2 = c * (a + b) / (c + d), d * (a + b) / (c + d)
        g2 = 2 * ((a * math.log(a / e1) if a else 0) + (b * math.log(b / e2) if b else 0))
        band = next((label for cut, label in keyness.THRESHOLDS if g2 >= cut), "n.s.")
        rows.append({"word": word, "target": a, "reference": b, "target_per_1000": a * 1000 / c,
                     "reference_per_1000": b * 1000 / d, "expected_target": e1, "expected_reference": e2,
                     "g2": g2, "log_ratio": math.log2(((a or 0.5) / c) / ((b or 0.5) / d)),
                     "direction": "target" if a / c >= b / d else "reference", "significance": band})
    return pd.DataFrame(rows).sort_values("g2", ascending=False, ignore_index=True)


def plain_collocates(tokens, node):
    finder = BigramCollocationFinder.from_words(tokens, window_size=5)
    finder.apply_ngram_filter(lambda w1, w2: node not in (w1, w2))
    measures = BigramAssocMeasures()
    return finder.score_ngrams(measures.likelihood_ratio), finder.score_ngrams(measures.pmi)


def timed(label, fn, *args, repeat=3):
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - start)
    print(f"{label:<44} {best:8.3f} s")
    return best, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=1_000_000)
    args = parser.parse_args()
    text = corpus_text(args.tokens)
    print(f"corpus: {len(text):,} characters")
    t_tok, tokens = timed("tokenise (nlp.words)", nlp.words, text)
    half = len(tokens) // 2
    target, reference = tokens[:half], tokens[half:]
    print(f"tokens: {len(tokens):,}; vocabulary: {len(set(tokens)):,}")
    t_key, table = timed("keyness, whole vocabulary (kit)", keyness.keyness, target, reference)
    t_key_plain, plain = timed("keyness, FreqDist + Python loop (plain)", plain_keyness, target, reference)
    assert table.loc[0, "word"] == plain.loc[0, "word"] and abs(table.loc[0, "g2"] - plain.loc[0, "g2"]) < 1e-6
    counts = FreqDist(target), FreqDist(reference)
    t_score, _ = timed("  scoring the vocabulary from counts (kit)", keyness.keyness_from_counts, *counts)
    t_score_plain, _ = timed("  scoring, Python loop over the vocabulary", plain_keyness_from_counts, *counts)
    t_col, col = timed("collocates of 'security', 4+4 (kit)", keyness.collocates, tokens, "security", 4, 4, 2)
    t_col_plain, _ = timed("collocates, BigramCollocationFinder (plain)", plain_collocates, tokens, "security",
                           repeat=1)
    t_kwic, hits = timed("KWIC 'secur*' over the corpus", reading.concordance, text, "secur*")
    print(f"keyness rows: {len(table):,}; collocates: {len(col):,}; KWIC hits: {len(hits):,}")
    print(f"speed-up keyness:    {t_key_plain / t_key:6.1f} x end to end; "
          f"{t_score_plain / t_score:.1f} x from the same counts (goal >= 5)")
    print(f"speed-up collocates: {t_col_plain / t_col:6.1f} x (goal >= 5)")
    slowest = max(t_tok, t_key, t_col, t_kwic)
    print(f"slowest kit step:    {slowest:6.3f} s (goal < 2 s each)")


if __name__ == "__main__":
    main()
