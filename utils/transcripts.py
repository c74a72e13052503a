"""Transcripts in the formats teachers bring: speaker labels, question roles, timestamps, stage directions.

The rule (:data:`RULE`): a turn starts where a paragraph, or a line, opens with a speaker label: a
name or title of up to 16 capitalised words ("Sergey Lavrov", "MR PRICE", "THE UNITED NATIONS HIGH
COMMISSIONER FOR REFUGEES FILIPPO GRANDI", "President of France Emmanuel Macron", "Speaker 2"), or a
question role in any case ("Question", "Q", "moderator"), then a colon. A timestamp or a bracketed
note may stand before the colon or after it ("Speaker 2 (02:18):", "Karine Jean-Pierre: (00:06)",
"Macron (retranslated):"); "Q." and "A." and White House "Q" followed by spaces need no colon. Words
such as "Correction:" or "Note:" are not speakers, and a text needs two labels to be a transcript.
Timestamps and stage directions ("(Laughter.)", "[crosstalk 00:01:12]") are removed from the
words counted, and so are the labels.
"""

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from utils import nlp, stance

RULE = (
    "A turn starts where a paragraph or a line opens with a speaker label: up to 16 capitalised words "
    "(a name, a title, 'Speaker 2') or a question role in any case (Question, Q, Moderator, Interviewer, "
    "Reporter, Journalist, Host, Audience member), then a colon; a timestamp or a bracketed note may come "
    "before or after the colon. 'Q.', 'A.' and 'Q' followed by spaces need no colon. 'Correction:', "
    "'Note:' and the like are not speakers, and a text needs two labels to be a transcript. Paragraphs "
    "before the first label are a preamble (a title, a date), not speech. Labels, timestamps and stage "
    "directions such as (Laughter.) or [crosstalk] are left out of every count."
)
ANONYMOUS_QUESTIONS = ("question", "q", "journalist", "reporter")  # their speaker is "Journalist"
QUESTION_ROLES = (*ANONYMOUS_QUESTIONS, "moderator", "interviewer", "host", "audience member", "audience", "questioner",
                  "participant", "caller")
NOT_SPEAKERS = frozenset({
    "correction", "corrections", "note", "notes", "editor's note", "editors' note", "update", "updated",
    "source", "sources", "photo", "photograph", "caption", "related", "see also", "read more", "transcript",
    "subject", "date", "time", "location", "place", "venue", "published", "posted", "tags", "topics", "topic",
    "disclaimer", "summary", "image", "video", "audio", "contact", "email", "e-mail", "tel", "phone", "fax",
    "website", "keywords", "category", "filed under", "by", "written by", "copyright", "credit", "title",
    "translation", "ladies and gentlemen", "dear friends", "dear colleagues", "excellencies", "warning",
})
PREAMBLE = "(before the first label)"
NO_LABELS = "(no speaker labels)"
PARSED_COLUMNS = ["turn", "speaker", "role", "paragraph", "label", "text", "removed"]

TIMESTAMP = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?"
_NOTE = rf"(?:\([^()\n]{{1,120}}\)|\[[^\[\]\n]{{1,120}}\]|{TIMESTAMP})"
_WORD = r"(?:[A-Z][\w.'\u2019-]*|\d+)"
_CONNECTOR = r"(?:of|the|for|and|on|to|de|da|del|di|du|van|von|der|la|le|al|bin|el)"
# a name, and a title after a comma: "Dr. Helena Achterberg, Senior Fellow, Institute for Water Governance"
_NAME = rf"[A-Z][\w.'\u2019-]*(?:,?[ \t]+(?:{_CONNECTOR}[ \t]+)*{_WORD}){{0,15}}"
_LEAD = rf"(?:[\[(]?{TIMESTAMP}[\])]?[ \t]+)?"
_TAIL = rf"(?P<note>(?:[ \t]*{_NOTE})*)[ \t]?:(?P<after>[ \t]*{_NOTE})?(?=\s|$)"
# "Q. Why?" / "A. Because." / White House "Q    Karine, ..."
_QA = re.compile(rf"^{_LEAD}(?P<label>[QA])(?:\.[ \t]+|[ \t]{{2,}}|\t)(?=\S)")
DIRECTIONS = (
    r"laughter|laughs|laughing|chuckles|applause|applauding|cheers|cheering|boos|booing|crosstalk|cross-talk|"
    r"inaudible|indiscernible|unintelligible|music|silence|pause|break|end|video|audio|clip|sound|noise|"
    r"off[- ]mic|technical|interruption|interrupts|inaudible|coughs|sighs|beep|recording|commercial|"
    r"begin|start|speaks|speaking|via interpreter|as translated|translated|interpretation|"
    r"in (?:russian|french|spanish|german|arabic|chinese|ukrainian)"
)
STAGE = re.compile(rf"\((?:{DIRECTIONS})\b[^()\n]{{0,60}}\)|\[(?:{DIRECTIONS})\b[^\[\]\n]{{0,60}}\]"
                   rf"|[\[(]{TIMESTAMP}[\])]", re.IGNORECASE)
_START_TIME = re.compile(rf"^[\[(]?{TIMESTAMP}[\])]?(?:[ \t]+|$)")
# a line that is all in brackets, or only a time, is a stage direction: "(The briefing was concluded at 2:41 p.m.)",
# "1:41 P.M. EDT", "END 2:30 P.M."
_TIME_LINE = re.compile(r"^[ \t]*(?:END[ \t]+)?\d{1,2}:\d{2}[ \t]*(?:[AaPp]\.?[ \t]?[Mm]\.?)?[ \t]*"
                        r"(?:[A-Z]{2,4}\.?)?[ \t]*$", re.MULTILINE)
_BRACKETED_LINE = re.compile(r"^[ \t]*(?:\([^()\n]{1,160}\)|\[[^\[\]\n]{1,160}\])[ \t]*$", re.MULTILINE)


@dataclass
class Transcript:
    """A parsed text: its turns table, whether it is a transcript, and what the reader should check."""

    turns: pd.DataFrame
    is_transcript: bool
    warnings: list[str] = field(default_factory=list)

    def spoken(self) -> str:
        """The counted words of the text: every turn's text without labels, timestamps, stage directions."""
        return "\n\n".join(self.turns.loc[self.turns["role"] != "preamble", "text"])

    def sentences(self) -> pd.DataFrame:
        """Every counted sentence, numbered from 1 in text order, with its turn, speaker, role and
        whether it is a question (ends with "?")."""
        per_turn = _per_turn(self.turns)
        per_turn["sentence"] = per_turn.pop("text").map(nlp.sentences)
        table = per_turn.explode("sentence").dropna(subset=["sentence"]).reset_index()
        table["question"] = table["sentence"].map(stance.is_question).astype(bool)
        table.insert(0, "number", range(1, len(table) + 1))
        return table

    def words_by_speaker(self) -> pd.Series:
        """How many words each speaker says (as :func:`utils.nlp.words` counts them), in order of appearance.

        Counted in one pass over :meth:`spoken`, so a long transcript is not read once per speaker.
        """
        spoken = self.turns[self.turns["role"] != "preamble"]
        starts = np.asarray(nlp.word_starts(nlp.normalise(self.spoken())), dtype=np.int64)
        lengths = spoken["text"].map(lambda t: len(nlp.normalise(t))).to_numpy(dtype=np.int64)
        begins = np.concatenate([[0], np.cumsum(lengths + 2)[:-1]]) if len(lengths) else lengths
        counts = np.searchsorted(starts, begins + lengths) - np.searchsorted(starts, begins)
        return pd.Series(counts, index=spoken.index).groupby(spoken["speaker"], sort=False).sum().rename("words")

    def by_speaker(self) -> dict[str, str]:
        """The counted text of each speaker, in order of first appearance."""
        spoken = self.turns[self.turns["role"] != "preamble"]
        return {s: "\n\n".join(block["text"]) for s, block in spoken.groupby("speaker", sort=False)}


def _label_pattern(labels) -> re.Pattern:
    if labels:
        names = "|".join(re.escape(" ".join(label.split())).replace(r"\ ", r"[ \t]+")
                         for label in sorted(labels, key=len, reverse=True))
        return re.compile(rf"^{_LEAD}(?P<label>(?i:{names})){_TAIL}")
    roles = "|".join(r.replace(" ", r"[ \t]+") for r in QUESTION_ROLES)
    return re.compile(rf"^{_LEAD}(?P<label>(?i:{roles})(?=[ \t]*[:(\[])|{_NAME}){_TAIL}")


def _units(text: str, pattern: re.Pattern) -> list[str]:
    """Paragraphs (or lines, on a page without blank lines), split again where a line opens with a label."""
    text = text.replace("\r\n", "\n")
    blocks = [b for b in re.split(r"\n[ \t]*\n", text) if b.strip()]
    if len(blocks) == 1:
        blocks = [line for line in blocks[0].split("\n") if line.strip()] if blocks else []
    units = []
    for block in blocks:
        current: list[str] = []
        for line in block.split("\n"):
            if current and (pattern.match(line.strip()) or _QA.match(line.strip())):
                units.append("\n".join(current).strip())
                current = []
            current.append(line)
        units.append("\n".join(current).strip())
    return [u for u in units if u]


def _speaker_key(label: str) -> str:
    """One spelling for a label written several ways: "MR. PRICE", "Mr Price" and "MR PRICE" are one speaker."""
    return " ".join(label.replace(".", " ").split()).rstrip(":").lower()


def clean(body: str) -> tuple[str, list[str]]:
    """A paragraph without its timestamps and stage directions, and what was taken out.

    >>> clean("(00:12) We agree. (Laughter.) Next. [crosstalk 00:01:12]")
    ('We agree. Next.', ['(00:12)', '(Laughter.)', '[crosstalk 00:01:12]'])
    """
    removed = []
    if any(c in body for c in "([:"):  # most paragraphs of a long transcript have nothing to remove
        for pattern in (_BRACKETED_LINE, _TIME_LINE):
            removed += [m.strip() for m in pattern.findall(body)]
            body = pattern.sub(" ", body)
        start = _START_TIME.match(body)
        if start:
            removed.append(start.group(0).strip())
            body = body[start.end():]
        removed += [m.strip() for m in STAGE.findall(body)]
        body = STAGE.sub(" ", body)
    body = "\n".join(" ".join(line.split()) for line in body.split("\n") if line.strip())
    if removed:  # "words (Laughter.) ." leaves a space before the full stop
        body = re.sub(r" ([.,;:!?])", r"\1", body)
    return body.strip(), removed


def parse(text: str, labels=None, question_roles=None, opening_speaker: str | None = None,
          transcript: bool | None = None) -> Transcript:
    """Split a text into speaker turns, by :data:`RULE`; one row per paragraph (or line).

    ``labels``: the speaker labels to accept, when the guess is wrong (then only they start turns).
    ``question_roles``: labels whose turns are questions, besides Question, Q, Moderator, ... (for an
    interviewer named by name). ``opening_speaker``: who speaks before the first label; without it those
    paragraphs are a preamble (role ``preamble``), shown but not counted. A text that is not a
    transcript is one speaker's, ``opening_speaker`` or "(no speaker labels)", role ``text``.
    ``transcript``: True or False to say whether the text is a transcript, when the guess (two labels
    or more) is wrong: an article that quotes a short exchange is not one.

    Columns: ``turn``, ``speaker``, ``role`` (statement, question, answer, preamble or text), ``paragraph``
    (1, 2, ...), ``label`` (as written), ``text`` (what is counted) and ``removed`` (timestamps and
    stage directions taken out).

    >>> t = parse("Briefing, May 6\\n\\nQUESTION: Why? (Laughter.)\\n\\nMR PRICE (00:06): Because.")
    >>> t.turns[["speaker", "role", "text"]].values.tolist()
    [['(before the first label)', 'preamble', 'Briefing, May 6'], ['Journalist', 'question', 'Why?'], \
['MR PRICE', 'answer', 'Because.']]
    """
    pattern = _label_pattern(labels)
    asking = {_speaker_key(r) for r in (*QUESTION_ROLES, *(question_roles or ()))}
    found, warnings, merged = [], [], set()
    for number, unit in enumerate(_units(text, pattern), start=1):
        match = pattern.match(unit) or (None if labels else _QA.match(unit))
        if match and not labels and _speaker_key(match["label"]) in NOT_SPEAKERS:
            warnings.append(f"paragraph {number}: '{match['label']}:' is not taken for a speaker.")
            match = None
        found.append((number, unit, match))
    labelled = [m for _, _, m in found if m]
    is_transcript = (bool(labels) or len(labelled) >= 2) if transcript is None else transcript
    if len(labelled) == 1 and not labels and transcript is None:
        number = next(n for n, _, m in found if m)
        warnings.append(f"paragraph {number}: one label, '{labelled[0]['label']}:', is not enough for a transcript; "
                        "pass transcript=True if it is one.")
    if opening_speaker:
        speaker, role = opening_speaker, "statement"
    else:
        speaker, role = (PREAMBLE, "preamble") if is_transcript else (NO_LABELS, "text")
    rows, turn = [], 0
    spellings = {_speaker_key(opening_speaker): opening_speaker} if opening_speaker else {}
    for number, unit, match in found:
        label = ""
        if match and is_transcript:
            label = " ".join(match["label"].split()).rstrip(".")
            name = label.split(",")[0]  # "Dr. Helena Achterberg, Senior Fellow": the name before the title
            key = _speaker_key(name)
            if spellings.setdefault(key, name) != name and name not in merged:
                merged.add(name)
                warnings.append(f"paragraph {number}: '{name}' is counted as '{spellings[key]}', the same label "
                                "written another way.")
            asked = role == "question"
            if rows:
                turn += 1
            if key in ANONYMOUS_QUESTIONS:
                speaker, role = "Journalist", "question"
            elif key in asking:
                speaker, role = spellings[key], "question"
            elif match.re is _QA and key == "a":
                speaker, role = "Answer", "answer"
            else:
                speaker, role = spellings[key], "answer" if asked else "statement"
            unit = unit[match.end():]
        body, removed = clean(unit) if is_transcript else (unit, [])
        rows.append((turn, speaker, role, number, label, body, " | ".join(removed)))
    turns = pd.DataFrame(rows, columns=PARSED_COLUMNS)
    if is_transcript:
        warnings += _labels_inside(turns) + _long_preamble(turns) + _unnamed_interviewer(turns)
    return Transcript(turns, is_transcript, warnings)


def _per_turn(turns: pd.DataFrame) -> pd.DataFrame:
    """One row per counted turn: its speaker, role and text (paragraphs joined by a blank line)."""
    spoken = turns[turns["role"] != "preamble"]
    return spoken.groupby("turn", sort=True).agg(speaker=("speaker", "first"), role=("role", "first"),
                                                 text=("text", "\n\n".join))


def _long_preamble(turns: pd.DataFrame) -> list[str]:
    """A warning when much of the text comes before the first label, where nothing is counted."""
    words = turns["text"].str.count(r"\S+")
    before = int(words[turns["role"] == "preamble"].sum())
    if before <= 60 or before <= 0.2 * words.sum():
        return []
    return [f"{before:,} of {int(words.sum()):,} words come before the first label and are not counted. If they are "
            "someone's speech, set opening_speaker; if the labels are only a few quoted exchanges in an article, the "
            "text is not a transcript: pass transcript=False to read it as one voice."]


def _unnamed_interviewer(turns: pd.DataFrame) -> list[str]:
    """A hint when no turn is a question but one speaker's turns mostly end with a question mark."""
    if (turns["role"] == "question").any():
        return []
    per_turn = _per_turn(turns)
    asks = per_turn["text"].map(stance.is_question).groupby(per_turn["speaker"]).agg(["sum", "size"])
    return [f"'{speaker}' ends {int(row['sum'])} of {int(row['size'])} turns with a question mark, yet no turn is "
            f"read as a question: if {speaker} is the interviewer, set question_roles=['{speaker}']."
            for speaker, row in asks.iterrows() if row["size"] >= 3 and row["sum"] >= 0.5 * row["size"]]


def _labels_inside(turns: pd.DataFrame) -> list[str]:
    """Warnings for a known label glued inside a paragraph: two turns run together by the page."""
    known = sorted({label for label in turns["label"] if label}, key=len, reverse=True)
    if not known:
        return []
    inside = re.compile(r"(?<=[.?!\"'\u201d\u2019)])\s+(" + "|".join(map(re.escape, known)) + r")\s?:\s")
    rows = zip(turns["paragraph"].tolist(), turns["speaker"].tolist(), turns["text"].tolist(), strict=True)
    return [f"paragraph {paragraph}: '{m.group(1)}:' appears inside the paragraph, not at its start; the words after "
            + (f"it are counted as {speaker}'s." if speaker != PREAMBLE else "it are in the preamble, not counted.")
            + " Put it on a paragraph of its own if it starts a turn."
            for paragraph, speaker, text in rows if ":" in text for m in inside.finditer(text)]


def sentences_with_sentiment(transcript: Transcript, max_sentences: int = 2000) -> pd.DataFrame:
    """:meth:`Transcript.sentences` with the VADER ``compound`` of an evenly spaced sample of at most
    ``max_sentences`` sentences (every sentence when there are fewer; NaN for those not scored).

    >>> table = sentences_with_sentiment(parse("We are glad. This is a disaster."))
    >>> table["compound"].tolist()
    [0.4588, -0.6249]
    """
    table = transcript.sentences()
    step = max(1, -(-len(table) // max(max_sentences, 1)))
    sample = table.index[::step]
    table["compound"] = float("nan")
    if len(sample):
        table.loc[sample, "compound"] = nlp.sentiment(table.loc[sample, "sentence"].tolist())["compound"].to_numpy()
    return table


