import re

import pandas as pd
import pytest

from utils import datasets
from utils.datasets import DataError


def test_every_data_set_loads_typed(root):
    for name, rel in datasets.DATASETS.items():
        table = datasets.load(name)
        spec = datasets.read_schema(name)
        assert list(table.columns) == [c["name"] for c in spec["columns"]]
        assert (root / "data" / f"{rel}.md").is_file(), f"{name} has no data card"
        for c in spec["columns"]:
            if c["type"] == "float":
                assert table[c["name"]].dtype == "float64"
            if c["type"] == "date":
                assert pd.api.types.is_datetime64_any_dtype(table[c["name"]])
    assert len(datasets.load("unhcr_totals")) == 11 and len(datasets.load("unhcr_yearly")) == 17
    assert len(datasets.load("idmc_internal")) == 16 and len(datasets.load("ukraine_2022")) == 14
    assert len(datasets.load("memberships")) == 38


def test_facts_from_the_course_brief():
    totals = datasets.load("unhcr_totals").set_index("date")
    assert totals.loc["2023-06-30", "total"] == 110.0 and totals.loc["2025-06-30", "period"] == "mid-year"
    parts = ["refugees", "unrwa_refugees", "other_protection", "idps", "asylum_seekers"]
    assert totals.loc["2022-12-31", parts].sum() == pytest.approx(108.4)
    gap = (totals[parts].sum(axis=1, min_count=5) - totals["total"]).abs().max()
    assert gap == pytest.approx(1.5)
    members = datasets.load("memberships")
    nato = members[members["organisation"] == "NATO"]
    assert (nato["joined"] <= "2022-06-10").sum() == 30
    assert nato.set_index("member").loc[["Finland", "Sweden"], "joined"].dt.strftime("%Y-%m-%d").tolist() == [
        "2023-04-04", "2024-03-07"]
    assert sorted(members.loc[members["organisation"] == "CSTO", "member"]) == [
        "Armenia", "Belarus", "Kazakhstan", "Kyrgyzstan", "Russia", "Tajikistan"]
    idmc = datasets.load("idmc_internal").set_index("year")
    assert idmc.loc[2018, "stock_disaster"] != idmc.loc[2018, "stock_disaster"]  # not estimated: NaN, by schema
    assert idmc.loc[2024, "new_conflict"] == 20.1  # as published in GRID 2025, not 65.8 - 45.8
    assert idmc.loc[2024, ["new_disaster", "stock_conflict", "stock_disaster"]].tolist() == [45.8, 73.5, 9.8]


def test_ukraine_2022_facts_and_sources():
    ukraine = datasets.load("ukraine_2022")
    idps = ukraine[ukraine["measure"] == "idps"].set_index("date")
    assert idps["value"].to_dict() == {
        pd.Timestamp(d): v for d, v in [("2022-04-01", 7.14), ("2022-05-03", 8.03), ("2022-05-23", 7.13),
                                        ("2022-06-23", 6.28), ("2022-07-23", 6.65), ("2022-08-23", 6.98),
                                        ("2022-09-30", 6.24), ("2022-12-05", 5.9)]}
    # at Text A's date (10 June 2022): the latest figure of each measure, on or before it
    known = ukraine[ukraine["date"] <= "2022-06-10"].sort_values("date").groupby("measure", observed=True).last()
    assert known.loc["refugees_europe", ["value", "precision"]].tolist() == [4.82, "exact"]
    assert known.loc["idps", ["date", "value", "precision"]].tolist() == [pd.Timestamp("2022-05-23"), 7.13, "exact"]
    assert "7,134,000" in known.loc["idps", "source"] and "Round 5" in known.loc["idps", "source"]
    # approximate: only a rounder figure or part of a month, and the source says which
    approximate = ukraine[ukraine["precision"] == "approximate"]
    assert approximate["date"].dt.strftime("%Y-%m-%d").tolist() == ["2022-09-30", "2022-12-05"]
    assert "late September" in approximate["source"].iloc[0] and "5.9 million" in approximate["source"].iloc[1]
    # every figure names its publication and a date
    for source in ukraine["source"]:
        assert source.startswith(("IOM, ", "UNHCR ")) and re.search(r"20(22|23)", source), source


def test_cards_name_breaks_and_what_the_parts_count(root):
    cards = root / "data" / "displacement"
    totals_card = (cards / "unhcr_totals.md").read_text()
    yearly_card = (cards / "unhcr_yearly.md").read_text()
    assert "**end-2019**" in totals_card and "3.6 million Venezuelans displaced abroad" in totals_card
    assert "**2018**" in totals_card and "**2018**" in yearly_card and "**end-2019**" in yearly_card
    assert "counts them only once in the total" in totals_card
    assert "IDMC's end-2024 base" in totals_card and "IDMC's figures" not in totals_card
    idmc_card = (cards / "idmc_internal.md").read_text()
    assert "20.1 million" in idmc_card and "Derived value" not in idmc_card
    ukraine_card = (cards / "ukraine_2022.md").read_text()
    assert "7,134,000 as of 23 May" in ukraine_card
    assert "1.13 million recorded in the Russian Federation" in ukraine_card
    assert "14 rows" in ukraine_card and "early June" not in ukraine_card
    # the yearly database carries other_protection from 2018; the headline only from end-2019
    yearly = datasets.load("unhcr_yearly").set_index("year")
    assert yearly.loc[2017, "other_protection"] == 0 and yearly.loc[2018, "other_protection"] == 2.59


GOOD = "date,period,total,refugees,unrwa_refugees,other_protection,idps,asylum_seekers,unit,report\n" \
       "2022-12-31,end-year,108.4,29.4,5.9,5.2,62.5,5.4,million people,UNHCR Global Trends 2022\n" \
       "2023-06-30,mid-year,110.0,,,,,,million people,UNHCR Mid-Year Trends 2023\n"


def write(tmp_path, text, name="mine.csv"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_a_users_own_csv_loads_through_the_same_path(tmp_path):
    table = datasets.load_csv(write(tmp_path, GOOD), schema="unhcr_totals")
    assert table["total"].tolist() == [108.4, 110.0] and table["refugees"].isna().tolist() == [False, True]


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace(",asylum_seekers,unit", ",unit").replace(",5.4,million", ",million")
     .replace(",,,,,,million", ",,,,,million"),
     "{path}, column 'asylum_seekers': the column is missing. The file needs the columns date, period, total, "
     "refugees, unrwa_refugees, other_protection, idps, asylum_seekers, unit, report (it has date, period, total, "
     "refugees, unrwa_refugees, other_protection, idps, unit, report)."),
    (lambda t: t.replace("108.4", "lots"),
     "{path}, row 1 (line 2), column 'total': 'lots' is not a number. Write a plain number with a decimal point "
     "and no thousands separator, like 108.4."),
    (lambda t: t.replace("110.0", "1,10"),
     "{path}, row 2 (line 3): 11 fields, but the header has 10. A value with a comma (1,10) must lose the comma "
     "or be put in quotes."),
    (lambda t: t.replace(",29.4,", ",-29.4,"),
     "{path}, row 1 (line 2), column 'refugees': -29.4 is negative; a count of people cannot be below 0. "
     "Check the value and its unit."),
    (lambda t: t.replace("2023-06-30", "2022-12-31"),
     "{path}, row 2 (line 3), column 'date': 2022-12-31 appears more than once (rows 1, 2). "
     "Keep one row per date."),
    (lambda t: t.replace("110.0,,,,,,million people", "110.0,,,,,,thousand people"),
     "{path}, row 2 (line 3), column 'unit': unknown unit 'thousand people'; allowed: 'million people'. "
     "Convert the row to one of these."),
    (lambda t: t.replace("2023-06-30", "30/06/2023"),
     "{path}, row 2 (line 3), column 'date': '30/06/2023' is not a date written as YYYY-MM-DD, like 2023-06-30."),
    (lambda t: t.replace(",mid-year,", ",,"),
     "{path}, row 2 (line 3), column 'period': the value is empty, but this column is required. "
     "Fill it in, or delete the row."),
    (lambda t: t.replace("108.4", "108400"),
     "{path}, row 1 (line 2), column 'total': 108400.0 is above the allowed maximum 1000.0. "
     "Check the value and its unit."),
    (lambda t: t.replace("\n2023", "\n\n2023").replace("108.4", "x"),
     "{path}, row 1 (line 2), column 'total': 'x' is not a number. Write a plain number with a decimal point "
     "and no thousands separator, like 108.4."),
    (lambda t: t.replace("\n2023", "\n\n2023").replace("110.0", "y"),
     "{path}, row 2 (line 4), column 'total': 'y' is not a number. Write a plain number with a decimal point "
     "and no thousands separator, like 108.4."),
    (lambda t: t.replace('UNHCR Mid-Year', '"UNHCR Mid-Year'),
     "{path}, line 3: not well-formed CSV (unexpected end of data). Check the quotation marks on that line."),
])
def test_each_broken_file_gets_one_clear_message(tmp_path, edit, message):
    path = write(tmp_path, edit(GOOD))
    with pytest.raises(DataError) as err:
        datasets.load_csv(path, schema="unhcr_totals")
    text = str(err.value)
    assert text.startswith(str(path))
    assert text == message.format(path=path)


def test_unknown_column(tmp_path):
    extra = GOOD.replace("report\n", "report,notes\n", 1).replace("2022\n", "2022,x\n").replace("2023\n", "2023,y\n")
    with pytest.raises(DataError, match=re.escape("column 'notes': unknown column. Remove it or rename it")):
        datasets.load_csv(write(tmp_path, extra), schema="unhcr_totals")


@pytest.mark.parametrize("content, message", [
    (b"", "the file is empty. Write a header line and at least one row."),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "this is a binary file, not a CSV text file. Export it as CSV (UTF-8)."),
    ("date,period\n2022-12-31,Fin d'ann\u00e9e\n".encode("latin-1"),
     "line 2: not UTF-8 text (byte 0xe9). Save the file as CSV UTF-8."),
    (GOOD.split("\n")[0].encode() + b"\n", "the file has a header but no rows."),
])
def test_bad_files(tmp_path, content, message):
    path = write(tmp_path, content)
    with pytest.raises(DataError) as err:
        datasets.load_csv(path, schema="unhcr_totals")
    assert message in str(err.value) and str(path) in str(err.value)


def test_missing_file_and_unknown_data_set(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        datasets.load_csv(tmp_path / "nope.csv", schema="unhcr_totals")
    with pytest.raises(KeyError, match="known: unhcr_totals"):
        datasets.load("unhcr")


def test_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "MAX_BYTES", 100)
    with pytest.raises(DataError, match="more than the limit of 100"):
        datasets.load_csv(write(tmp_path, GOOD), schema="unhcr_totals")
