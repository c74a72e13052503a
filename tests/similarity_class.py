"""A synthetic class of A4 (a4_synthesis) for the similarity report: honest students, copiers, hostile files.

Built from the release notebook with the answer cells filled in (matched by grade_id), as a student submits it:

- seven honest students (``HONEST``), each with an essay of their own (Q7, 250 to 350 words, quoting both
  texts exactly) and code written their own way; ``dee`` and ``eve`` quote exactly the same four passages;
  several honest students write the same short idiom for a question, as real students do;
- ``hal`` hands in ``ada``'s essay with one sentence changed;
- ``ivy`` hands in ``ben``'s essay paraphrased: same structure and most content words, sentences reworded,
  synonyms swapped in;
- ``jo`` hands in ``cy``'s code for Q4 with the variables renamed, the spacing and the comments changed;
- ``kim``'s notebook is broken JSON;
- ``lou`` answered only in code that does not parse: a syntax error, brackets nested 300 deep, a magic.

``COPIED`` names the copied pairs; every other pair of the first ten students is honest.
"""

import copy
import shutil
from pathlib import Path

import nbformat

from utils.course.model import nbgrader_meta

A4 = "a4_synthesis"
HONEST = ["ada", "ben", "cy", "dee", "eve", "fay", "gus"]
COPIED = {("ada", "hal"): "prose", ("ben", "ivy"): "prose", ("cy", "jo"): "code"}
SKIPPED = {"kim": "broken JSON"}

ESSAYS = {
    "ada": """
The two texts differ less in how many checkable facts they contain than in what they do with them. Text A is
a press conference, so its facts arrive through questions. The journalist states that "NATO has 30 members and
will soon have another two" and that "The CSTO has only six members". The membership table confirms both:
thirty states belonged to NATO on 10 June 2022, Finland joined on 4 April 2023 and Sweden on 7 March 2024, and
the CSTO still lists six members, with Armenia's participation frozen since February 2024. Lavrov accepts
these numbers without contesting them and changes the measure instead, answering that "there is quantity, but
there is also quality". That move cannot be tested against any dataset, which is precisely its advantage for
him.

Lavrov's own factual statements concern the meeting itself. He says that "The participants adopted an
important statement on international security". I could not check this with the course data; the published
documents of the CSTO would settle it. Most of his answer is judgement and imagery, for instance "NATO members
arrogantly turned down our proposals", where the adverb carries the argument.

Text B is the opposite case, because its central claim is numerical. "There are currently some 110 million
forced displaced" agrees with the UNHCR figure of 110.0 million for mid-2023 (Mid-Year Trends 2023), which
also suggests the op-ed was written in the second half of 2023. The second half of the sentence is weaker. The
UNHCR Refugee Population Statistics Database shows growth of 10 million or more only in 2022 and 2023, while
the ten-year average is closer to 6.5 million a year. By writing "this number is growing by 10 million each
year!" the author turns two exceptional years into a rule, and the exclamation mark adds urgency the data do
not support.

In short, Text B rests on facts more than Text A but stretches them, while Text A avoids the facts it is
offered.
""",
    "ben": """
My thesis is that Text B depends on checkable figures far more than Text A, yet Text A's few figures survive
checking better than Text B's.

In the transcript, numbers come almost only from the questions. One journalist says the CSTO should be "a
counterbalance to NATO" and adds that "NATO has 30 members and will soon have another two". Checked against
the alliance membership list, this is accurate for June 2022, and the prediction came true later, although
Sweden took until March 2024 to join, almost two years after the interview. Lavrov answers with no numbers at
all. He describes an "intensive plan for consultations" and coordinating positions on "international
information security and cybercrime", claims that only the CSTO's own records could confirm. The rest of his
reply is rhetoric: the tango metaphor, "it takes two to tango", places the whole blame for failed dialogue on
the West without offering evidence for it.

The op-ed, by contrast, opens with its statistics. Its figure of 110 million displaced people matches UNHCR's
mid-2023 estimate, and it was current only between June and October 2023, which helps to date an otherwise
undated text. Its claim about growth is partly supported: UNHCR's published totals grew by roughly 19 million
in 2022 and by almost 9 million in 2023, but in earlier years the increase was much smaller and in 2025 the
total even fell. The text then shifts from numbers to emotion, describing people "torn from the fabric of
their communities" who "flee their homes in terror". These phrases are not claims that data can confirm; they
are appeals to pathos that make the reader accept the urgency before checking the figures.

Overall, both texts use checkable facts selectively. Lavrov sidesteps them and reframes the debate as one about
quality and dialogue, while the op-ed relies on a correct level and an exaggerated trend to justify its call
for "proactive intervention".
""",
    "cy": """
How much of each text can actually be checked? Surprisingly little of Text A, and more of Text B than its
emotional tone suggests.

I sorted the claims in my ledger into checkable and uncheckable ones. For the transcript, the checkable claims
are mostly about membership and about the meeting. The journalist's remark that "The CSTO has only six
members" is right: Armenia, Belarus, Kazakhstan, Kyrgyzstan, Russia and Tajikistan, even if Armenia has frozen
its participation since February 2024. The statement that NATO would "soon have another two" members was a
prediction, and it came true with Finland in April 2023 and Sweden in March 2024. Lavrov himself reports that
the ministers fixed "the principle of indivisibility of security" in a statement, which is checkable only
against the CSTO's published documents, not against our data. Everything else he says, for example that
Western colleagues "are bluntly refusing to fulfil it in practice", is an accusation and not a measurable
fact.

For the op-ed, the key number is easy to test. UNHCR published 110.0 million forcibly displaced people for 30
June 2023, so "some 110 million forced displaced" was accurate for a few months in 2023. The growth of "10
million each year" is less convincing: when I computed the yearly changes from 2013 to 2025, only two of
thirteen years reached ten million. The text does not cite UNHCR or any other source, so a reader cannot see
where the figures come from. It also uses the numbers as a springboard for an appeal: "We urge governments,
organizations, and individuals to prioritize the rights and needs of the forced displaced."

Both texts therefore use facts as support for a position rather than as the subject of their argument. Lavrov
leaves the facts to the journalists and answers with values, whereas the op-ed treats one correct level and
one stretched trend as proof that action is urgent.
""",
    "dee": """
Text A and Text B belong to different genres, and this shapes how they handle facts. A press conference
answers questions, while an op-ed sets its own agenda, so it is not surprising that the op-ed contains more
figures.

In Text A, the most concrete fact is put to Lavrov by a journalist: "NATO has 30 members and will soon have
another two". According to the membership data, NATO indeed counted thirty members on the date of the
interview, and the two candidates, Finland and Sweden, joined in 2023 and 2024. Lavrov does not deny the
imbalance in size. He replies that "there is quantity, but there is also quality", an antithesis that moves
the discussion to an area where no data can contradict him. His opening statement lists documents the
ministers signed, but these claims depend on records outside our course material, so I marked them as not
checked. The remaining answers, including the sarcastic question about Ribbentrop, avoid facts altogether.

Text B announces that "There are currently some 110 million forced displaced". This agrees with UNHCR's
number for the middle of 2023 and lets us date the article to the second half of that year. The following
claim, that "this number is growing by 10 million each year", only fits 2022 and 2023; the average annual
growth over the last decade was about 6.5 million, and the total dropped in 2025. The author presents an
unusual jump as a steady trend, which makes the crisis appear to accelerate without end.

My conclusion is that neither text is built mainly on verified facts. Text A concedes a checkable fact and
then changes the criteria, while Text B uses one accurate figure to lend authority to an inaccurate one. A
careful reader needs the UNHCR data to see the difference between the level and the trend.
""",
    "eve": """
Facts play a supporting role in both texts, but the way each text treats them reveals its purpose.

The Lavrov transcript contains few factual claims from Lavrov himself. The journalist reminds him that "NATO
has 30 members and will soon have another two", which was correct in June 2022 and turned out to be a correct
forecast once Finland and Sweden had joined the alliance. Instead of disputing the arithmetic, Lavrov replies
that "there is quantity, but there is also quality". This balanced phrase is a classic antithesis: it grants
the point and then makes it irrelevant, because quality is a judgement that no membership list can measure.
When he does talk about concrete events, such as the statement adopted at the ministers' meeting, we would
need the official CSTO documents to confirm it.

The advocacy text handles facts in a more exposed way. It opens with a strong figure, "There are currently
some 110 million forced displaced", and UNHCR's Mid-Year Trends report gives exactly 110 million for June
2023. Then it adds that "this number is growing by 10 million each year", and here the UNHCR time series tells
a different story: annual increases of ten million or more happened in 2022 and 2023, but not in the decade
before, when the total rose much more slowly. Readers without the data would take the yearly growth as a fact,
since the text gives it the same confident tone as the accurate total.

To answer the question, Text B rests more heavily on checkable facts than Text A, and for that reason it can be
caught out: its level is accurate and its trend is exaggerated. Text A is harder to check precisely because
Lavrov avoids committing himself to numbers and prefers metaphors, sarcasm and appeals to dialogue.
Checkability is therefore not only a property of the facts but a strategy of the speaker.
""",
    "fay": """
In this essay I argue that both texts use checkable facts mainly as a starting point for claims that cannot be
checked.

The transcript of Sergey Lavrov's press conference includes several factual statements about the CSTO meeting,
for example that "The second document signed at the meeting was an intensive plan for consultations between
our foreign ministries and defence ministries". Such a statement can be true or false, but our course data
cannot settle it; only the CSTO's publications could. Numbers enter the text through the reporter, who says
that "The CSTO has only six members". My ledger marks this as supported, since six states are members, with
the caveat that Armenia froze its participation in 2024. Lavrov's reply is not factual but political: he
claims the CSTO is "acting as a counter-balance to the actions that NATO is taking illegitimately for the most
part". The word "illegitimately" is a judgement, and judgement is what most of his answers consist of.

The op-ed contains two strong numerical claims in one sentence. The first, 110 million displaced, is supported
by UNHCR, whose mid-2023 total was 110.0 million. The second, growth of 10 million per year, is only partly
supported: it describes 2022 and 2023, the years of the war in Ukraine and other crises, but not the long-term
pattern. The op-ed then turns from data to values. Phrases such as "from passive acknowledgment to proactive
intervention" are designed to mobilise readers rather than inform them, and the text never cites a source for
its figures.

Overall, my ledger counts a higher share of checkable claims in Text B than in Text A. Yet in both cases the
most important sentences are the uncheckable ones: Lavrov's accusations against the West and the op-ed's
appeals to action. The facts set the scene, while the persuasion happens in the framing that follows them.
""",
    "gus": """
What can be verified in these two texts, and how do the authors use it? My answer is that the op-ed makes its
figures central but handles them loosely, while the transcript keeps figures at the margin.

Lavrov's answers contain hardly any numbers. The only precise figures come from a question: "NATO has 30
members and will soon have another two. The CSTO has only six members." I checked these against the NATO and
CSTO membership table in the course data. On 10 June 2022 NATO had thirty members, two more joined later
(Finland in 2023, Sweden in 2024), and the CSTO had six. Lavrov does not engage with these numbers. He speaks of
the "principle of indivisibility of security" and accuses the West of refusing it, which is a question of
interpretation, not of data. His metaphor "Our Western partners are breakdancing alone so far" is memorable
precisely because it cannot be checked; it works through ridicule.

The op-ed puts a statistic in its first paragraph to establish the scale of the crisis. The UNHCR series shows
110.0 million forcibly displaced people in mid-2023, so the level is right for that moment. However, 117.3
million were counted at the end of 2023, so the claim was soon out of date. The statement about growth of ten
million every year holds only for the two most recent years in the database. The author also lists causes,
"Armed conflicts, ethnic or religious persecutions, and systemic human rights abuses", and contrasts them with
climate displacement, a contrast the IDMC figures on conflict and disaster displacement could test but which
the text itself never supports with data.

Both texts, then, rely on facts only up to a point. Text A lets others bring the numbers and answers with
principles and images. Text B brings its own numbers but stretches them to build urgency. Neither text tells
the reader where its facts come from.
""",
    "jo": """
The question of checkable facts shows a clear asymmetry between the two texts: the transcript is full of
positions and the op-ed is full of numbers.

First, the transcript. When Lavrov is asked whether the CSTO will expand, the reporter observes that "The CSTO
has only six members" while NATO is about to grow. This is a verifiable statement, and the membership file
agrees with it: six members, although Armenia suspended its active participation in 2024. Lavrov's answer, "We
have never talked in terms of the CSTO taking a leading role", is a claim about his own past statements; it
could be tested against earlier interviews, but not with the data we were given. He then treats NATO's refusal
of dialogue as a fact, saying the alliance "arrogantly turned down our proposals". That verdict belongs to him,
not to the evidence.

Second, the op-ed. Its headline number, 110 million, is UNHCR's figure for mid-2023, and the author seems to
have written while that figure was current. The claim that the total grows "by 10 million each year"
overstates the trend. I computed the share of years since 2013 in which the increase reached ten million and
found it to be about fifteen percent. The op-ed also states that victims of climate change "may never be able
to return to their homes", a strong contrast with conflict displacement that IDMC's data on disaster and
conflict movements could only partly address, because return is not what those tables measure.

In conclusion, the op-ed invites checking and partly fails it, whereas the transcript mostly avoids claims that
could be checked. Both texts use facts to frame a position: Lavrov to deny the West's moral authority, the
op-ed to demand action. A neutral reader should value the op-ed's transparency about its level and doubt its
trend.
""",
}
# hal: ada's essay with one sentence changed
CHANGED = ("Lavrov accepts\nthese numbers without contesting them and changes the measure instead, answering that",
           "Lavrov does not argue with\nany of these figures; he simply swaps the yardstick and replies that")
ESSAYS["hal"] = ESSAYS["ada"].replace(*CHANGED)
# ivy: ben's essay paraphrased, sentence by sentence
ESSAYS["ivy"] = """
I argue that Text B relies on verifiable figures much more than Text A, but the few figures in Text A hold up
under checking better than those in Text B.

In the transcript, the numbers come nearly only from the journalists' questions. One reporter says the CSTO
should act as "a counterbalance to NATO" and notes that "NATO has 30 members and will soon have another two".
Compared with the alliance membership list, this was correct for June 2022, and the forecast came true later,
though Sweden only joined in March 2024, nearly two years after the interview. Lavrov replies without any
numbers. He mentions an "intensive plan for consultations" and coordinated positions on "international
information security and cybercrime", statements that only the CSTO's own documents could verify. The remainder
of his answer is rhetoric: the dance metaphor, "it takes two to tango", puts all the blame for the failed
dialogue on the West and gives no evidence for it.

The op-ed, on the other hand, starts with its statistics. Its number of 110 million displaced people agrees with
UNHCR's mid-2023 estimate, which was current only from June to October 2023, and this helps us date a text that
has no date. Its growth claim is only partly supported: UNHCR's published totals rose by about 19 million in
2022 and by nearly 9 million in 2023, but in earlier years the rise was much smaller and in 2025 the total
actually fell. The text then moves from figures to feelings, picturing people "torn from the fabric of their
communities" who "flee their homes in terror". Such phrases are not claims that the data can verify; they are
emotional appeals that push the reader to accept the urgency before checking the numbers.

To sum up, both texts use verifiable facts selectively. Lavrov avoids them and recasts the debate as one about
quality and dialogue, whereas the op-ed depends on a correct level and an overstated trend to support its call
for "proactive intervention".
"""

# Ways to answer each code question; honest students pick different ones, and short idioms repeat across them.
CODE = {
    "q1_nato": [
        'nato = members[members["organisation"] == "NATO"]\n'
        'nato_at_text_a = int((nato["joined"] <= TEXT_A_DATE).sum())',
        "nato_rows = members.query(\"organisation == 'NATO'\")\n"
        "nato_at_text_a = len(nato_rows[nato_rows.joined <= TEXT_A_DATE])",
        'is_nato = members["organisation"].eq("NATO")\njoined_before = members["joined"] <= TEXT_A_DATE\n'
        "nato_at_text_a = int((is_nato & joined_before).sum())",
        "nato_at_text_a = 0\nfor _, row in members.iterrows():\n"
        '    if row["organisation"] == "NATO" and row["joined"] <= TEXT_A_DATE:\n        nato_at_text_a += 1',
        'nato = members.loc[members.organisation == "NATO"]\n'
        "nato_at_text_a = nato.loc[nato.joined <= TEXT_A_DATE].shape[0]",
    ],
    "q2_later": [
        'later = nato[nato["joined"] > TEXT_A_DATE]\nnato_joined_later = sorted(later["member"])\n'
        'days_until_both = int((later["joined"].max() - TEXT_A_DATE).days)',
        'new_members = members[(members.organisation == "NATO") & (members.joined > TEXT_A_DATE)]\n'
        "nato_joined_later = sorted(new_members.member.tolist())\n"
        "days_until_both = (new_members.joined.max() - TEXT_A_DATE).days",
        "after = members.query(\"organisation == 'NATO' and joined > @TEXT_A_DATE\").sort_values(\"member\")\n"
        'nato_joined_later = list(after["member"])\nlast_join = after["joined"].max()\n'
        "days_until_both = int((last_join - TEXT_A_DATE) / pd.Timedelta(days=1))",
        "nato_joined_later = []\ndates = []\nfor _, row in members.iterrows():\n"
        '    if row["organisation"] == "NATO" and row["joined"] > TEXT_A_DATE:\n'
        '        nato_joined_later.append(row["member"])\n        dates.append(row["joined"])\n'
        "nato_joined_later.sort()\ndays_until_both = (max(dates) - TEXT_A_DATE).days",
        'joined_after = members.loc[(members["organisation"] == "NATO") & (members["joined"] > TEXT_A_DATE), '
        '["member", "joined"]]\nnato_joined_later = sorted(joined_after["member"].to_list())\n'
        'days_until_both = int((joined_after["joined"] - TEXT_A_DATE).dt.days.max())',
        'mask = members.organisation.eq("NATO") & members.joined.gt(TEXT_A_DATE)\n'
        'nato_joined_later = members[mask].sort_values("member").member.tolist()\n'
        "days_until_both = int((members[mask].joined.max() - TEXT_A_DATE).days)",
    ],
    "q3_csto": [
        'csto = members[members["organisation"] == "CSTO"]\ncsto_members = sorted(csto["member"])\n'
        'csto_note = csto["note"].dropna().iloc[0]',
        "csto_rows = members.query(\"organisation == 'CSTO'\")\n"
        'csto_members = csto_rows["member"].sort_values().tolist()\n'
        'csto_note = str(csto_rows.loc[csto_rows["note"].notna(), "note"].values[0])',
        'csto_members = sorted(members.loc[members.organisation == "CSTO", "member"])\n'
        'notes = members.loc[members.organisation == "CSTO", "note"].dropna()\ncsto_note = notes.iloc[0]',
        'csto_members, csto_note = [], ""\nfor _, row in members[members["organisation"] == "CSTO"].iterrows():\n'
        '    csto_members.append(row["member"])\n    if isinstance(row["note"], str):\n'
        '        csto_note = row["note"]\ncsto_members = sorted(csto_members)',
        'csto_table = members[members.organisation.isin(["CSTO"])]\ncsto_members = sorted(set(csto_table.member))\n'
        "csto_note = csto_table.note.dropna().to_list()[0]",
        'grouped = members.groupby("organisation")\ncsto_members = sorted(grouped.get_group("CSTO")["member"])\n'
        'csto_note = grouped.get_group("CSTO")["note"].dropna().iloc[-1]',
    ],
    "q4_growth": [
        'sums = yearly.set_index("year")[PARTS].sum(axis=1)\nchanges = sums.loc[2012:].diff().loc[2013:]\n'
        "share_years_10m = float((changes >= 10).mean())",
        'totals_by_year = yearly.groupby("year")[PARTS].sum().sum(axis=1)\ngrowth = totals_by_year.diff()\n'
        "recent = growth[growth.index >= 2013]\nshare_years_10m = (recent >= 10).sum() / len(recent)",
        'yearly["all_parts"] = yearly[PARTS].sum(axis=1)\nyearly["change"] = yearly["all_parts"].diff()\n'
        'since_2013 = yearly[yearly["year"] >= 2013]\nshare_years_10m = float(since_2013["change"].ge(10).mean())',
        "changes = []\nfor year in range(2013, 2026):\n"
        '    this_year = yearly.loc[yearly["year"] == year, PARTS].sum(axis=1).sum()\n'
        '    last_year = yearly.loc[yearly["year"] == year - 1, PARTS].sum(axis=1).sum()\n'
        "    changes.append(this_year - last_year)\n"
        "share_years_10m = sum(c >= 10 for c in changes) / len(changes)",
        'by_year = yearly.groupby("year")[PARTS].sum()\ntotal = by_year.sum(axis="columns")\n'
        "diffs = total.diff().loc[2013:2025]\nshare_years_10m = float(len(diffs[diffs >= 10]) / len(diffs))",
        # cy's own way, which jo copies below
        """# add up the parts for every year, then look at the change from one year to the next
table = yearly.sort_values("year").reset_index(drop=True)
year_totals = {}
for i in range(len(table)):
    year_totals[int(table.loc[i, "year"])] = float(table.loc[i, PARTS].sum())
big_years = 0
counted = 0
for year in range(2013, max(year_totals) + 1):
    if year in year_totals and year - 1 in year_totals:
        counted += 1
        if year_totals[year] - year_totals[year - 1] >= 10:
            big_years += 1
share_years_10m = big_years / counted""",
        # jo: cy's code, variables renamed, spacing and comments changed
        """# Yearly sums first; then count the years with a jump of 10 million or more.
df = yearly.sort_values( "year" ).reset_index( drop = True )

sums_per_year = {}
for k in range(len(df)):
    sums_per_year[int(df.loc[k, "year"])] = float(df.loc[k, PARTS].sum())   # total of the parts
n_big = 0
n_years = 0
for y in range(2013, max(sums_per_year)+1):
    if y in sums_per_year and y-1 in sums_per_year:   # both years in the data
        n_years += 1
        if sums_per_year[y] - sums_per_year[y-1] >= 10:
            n_big += 1
share_years_10m = n_big/n_years""",
    ],
    "q6_summary": [
        'verdict_counts = ledger["verdict"].value_counts()\n'
        'text_of = ledger["speaker"].map(lambda s: "B" if s == "Wilson Center" else "A")\n'
        'checkable_by_text = ledger["checkable"].astype(bool).groupby(text_of).mean()',
        "verdict_counts = ledger.verdict.value_counts()\n"
        'ledger["text"] = ledger["speaker"].replace({"Sergey Lavrov": "A", "Journalist": "A", "Wilson Center": "B"})\n'
        'checkable_by_text = ledger.groupby("text")["checkable"].mean()',
        'verdict_counts = ledger.groupby("verdict").size()\n'
        'which = ["B" if speaker == "Wilson Center" else "A" for speaker in ledger["speaker"]]\n'
        'checkable_by_text = pd.Series(ledger["checkable"].values, index=which).groupby(level=0).mean()',
        'verdict_counts = pd.Series(ledger["verdict"]).value_counts(sort=True)\n'
        'is_b = ledger["speaker"] == "Wilson Center"\n'
        'checkable_by_text = pd.Series({"A": ledger.loc[~is_b, "checkable"].mean(), '
        '"B": ledger.loc[is_b, "checkable"].mean()})',
        'verdict_counts = ledger["verdict"].value_counts()\nshares = {}\n'
        'for text, rows in ledger.groupby(ledger["speaker"].eq("Wilson Center")):\n'
        '    shares["B" if text else "A"] = rows["checkable"].sum() / len(rows)\ncheckable_by_text = pd.Series(shares)',
    ],
}
# Which way each student answers q1, q2, q3, q4 and q6 (an index into CODE). Two students who are not a copied
# pair share at most one of these cells, and only a short one (three lines at most), as students who work alone
# may; q1's one-liner, way 4, five students share. jo's q4 (way 6) is the copy of cy's (way 5).
WAYS = {"ada": (3, 4, 0, 1, 3), "ben": (2, 0, 0, 2, 2), "cy": (4, 5, 4, 5, 2), "dee": (4, 3, 5, 0, 3),
        "eve": (0, 1, 0, 3, 1), "fay": (4, 0, 3, 1, 1), "gus": (4, 4, 2, 2, 4), "hal": (4, 1, 1, 4, 0),
        "ivy": (0, 2, 4, 1, 0), "jo": (1, 4, 1, 6, 1)}
QUESTIONS = ("q1_nato", "q2_later", "q3_csto", "q4_growth", "q6_summary")
# lou: code that does not parse, and deeper than Python's parser goes
BROKEN_CODE = {"q1_nato": "nato_at_text_a = " + "(" * 300 + "1" + ")" * 300,
               "q2_later": "nato_joined_later = sorted(\ndays_until_both = ",
               "q3_csto": "%time csto_members = sorted(members['member'])\ncsto_note = 'frozen'"}


def answers(student: str) -> dict[str, str]:
    """The source of each answer cell (by grade_id) that ``student`` fills in."""
    if student == "lou":
        return dict(BROKEN_CODE)
    filled = {question: CODE[question][way] for question, way in zip(QUESTIONS, WAYS[student], strict=True)}
    filled["q7_essay"] = f'essay = """{ESSAYS[student]}"""'
    return filled


def filled_in(release_nb, filled: dict[str, str]):
    """A copy of the release notebook with the answer cells named in ``filled`` (grade_id -> source) answered."""
    nb = copy.deepcopy(release_nb)
    for cell in nb.cells:
        if nbgrader_meta(cell).get("solution") and nbgrader_meta(cell).get("grade_id") in filled:
            cell.source = filled[nbgrader_meta(cell)["grade_id"]]
    return nb


def write_submission(course: Path, student: str, nb, assignment: str = A4) -> Path:
    """Write ``nb`` as ``student``'s submission in course/submitted/ (nbgrader's layout); returns its path."""
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{assignment}.ipynb")
    return folder / f"{assignment}.ipynb"


def copy_course(root: Path, target: Path) -> Path:
    """A course folder at ``target`` with root's source/, release/ and nbgrader_config.py."""
    for folder in ("source", "release"):
        shutil.copytree(root / folder, target / folder)
    shutil.copy2(root / "nbgrader_config.py", target)
    return target


def write_class(course: Path) -> list[str]:
    """Write the whole class into ``course`` (which must hold release/); returns the students' ids."""
    release_nb = nbformat.read(course / "release" / A4 / f"{A4}.ipynb", as_version=4)
    students = [*HONEST, "hal", "ivy", "jo", "lou"]
    for student in students:
        write_submission(course, student, filled_in(release_nb, answers(student)))
    broken = write_submission(course, "kim", filled_in(release_nb, answers("ada")))
    broken.write_text(broken.read_text()[:5000])  # cut short: broken JSON
    return [*students, "kim"]
