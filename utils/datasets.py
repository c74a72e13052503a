"""Course data sets: typed DataFrames, checked against their schema on load.

Each CSV in data/displacement/ and data/alliances/ has a schema beside it
(``NAME.schema.json``: columns, types, units, allowed values and ranges, key) and a data
card (``NAME.md``). A file that breaks its schema raises one :class:`DataError` naming the
file, the row, the column, the problem and the fix; nothing is turned into NaN silently
(an empty cell is allowed only in a column the schema marks as not required).

Your own CSV in the same shape loads through the same checks::

    load_csv("my_totals.csv", schema="unhcr_totals")
"""

import csv
import functools
import io
import json
from pathlib import Path

import pandas as pd

from utils import paths
from utils.files import Advice, read_utf8

DATASETS = {
    "unhcr_totals": "displacement/unhcr_totals",
    "unhcr_yearly": "displacement/unhcr_yearly",
    "idmc_internal": "displacement/idmc_internal",
    "ukraine_2022": "displacement/ukraine_2022",
    "memberships": "alliances/memberships",
}
MAX_BYTES = 50_000_000


class DataError(ValueError):
    """A data file does not match its schema; the message says where and how to fix it."""


def _where(path: Path, row: int | None = None, column: str | None = None, lines: dict | None = None) -> str:
    """"FILE, row N (line L), column 'C'": where a problem is, as a person would look for it."""
    place = str(path)
    if row is not None:
        place += f", row {row} (line {(lines or {}).get(row, row + 1)})"
    if column is not None:
        place += f", column '{column}'"
    return place


def read_schema(name: str) -> dict:
    """The schema of a course data set, as a dict (see data/*/NAME.schema.json)."""
    if name not in DATASETS:
        raise KeyError(f"No data set {name!r}; known: {', '.join(DATASETS)}.")
    return json.loads((paths.data_dir() / f"{DATASETS[name]}.schema.json").read_text(encoding="utf-8"))


def load(name: str) -> pd.DataFrame:
    """A course data set as a typed DataFrame, checked against its schema.

    >>> totals = load("unhcr_totals")
    >>> totals.loc[totals["date"] == "2023-06-30", "total"].item()
    110.0
    """
    read_schema(name)  # an unknown name fails here, with the list of known ones
    return load_csv(paths.data_dir() / f"{DATASETS[name]}.csv", schema=name)


CSV_ADVICE = Advice(
    missing="Check the path, or list the data sets with utils.datasets.DATASETS.",
    empty="Write a header line and at least one row.",
    too_big="Split it or filter it before loading.",
    binary=", not a CSV text file. Export it as CSV (UTF-8).",
    encoding="Save the file as CSV UTF-8.",
)


def _convert(values: pd.Series, spec: dict, locate) -> pd.Series:
    """Convert one column's strings to its type, or raise for the first bad cell."""
    name, kind = spec["name"], spec["type"]
    empty = values.str.strip() == ""
    if spec.get("required", True) and empty.any():
        row = int(empty.idxmax())
        raise DataError(f"{locate(row, name)}: the value is empty, but this column is required. "
                        "Fill it in, or delete the row.")
    filled = values[~empty].str.strip()
    if kind in {"float", "int"}:
        numbers = pd.to_numeric(filled, errors="coerce")
        bad = numbers.isna()
        if bad.any():
            row = int(bad.idxmax())
            raise DataError(f"{locate(row, name)}: {filled[row]!r} is not a number. "
                            "Write a plain number with a decimal point and no thousands separator, like 108.4.")
        if kind == "int" and (numbers % 1 != 0).any():
            row = int((numbers % 1 != 0).idxmax())
            raise DataError(f"{locate(row, name)}: {filled[row]!r} is not a whole number.")
        converted = numbers.reindex(values.index)
        if kind == "int":
            converted = converted.astype("Int64" if empty.any() else "int64")
        else:
            converted = converted.astype("float64")
    elif kind == "date":
        dates = pd.to_datetime(filled, format="%Y-%m-%d", errors="coerce")
        if dates.isna().any():
            row = int(dates.isna().idxmax())
            raise DataError(f"{locate(row, name)}: {filled[row]!r} is not a date written as YYYY-MM-DD, "
                            "like 2023-06-30.")
        converted = dates.reindex(values.index)
    elif kind == "category":
        allowed = spec["allowed"]
        unknown = ~filled.isin(allowed)
        if unknown.any():
            row = int(unknown.idxmax())
            what = "unit" if name == "unit" else "value"
            raise DataError(f"{locate(row, name)}: unknown {what} {filled[row]!r}; allowed: "
                            f"{', '.join(map(repr, allowed))}. Convert the row to one of these.")
        converted = pd.Categorical(values.where(~empty).str.strip(), categories=allowed)
        converted = pd.Series(converted, index=values.index)
    else:
        converted = values.str.strip().where(~empty)
    _check_range(converted, spec, locate)
    return converted


def _check_range(column: pd.Series, spec: dict, locate) -> None:
    name = spec["name"]
    for bound, too in (("min", "below"), ("max", "above")):
        if bound not in spec:
            continue
        limit = pd.Timestamp(spec[bound]) if spec["type"] == "date" else spec[bound]
        outside = column < limit if bound == "min" else column > limit
        outside = outside.fillna(False).astype(bool)
        if outside.any():
            row = int(outside.idxmax())
            value = column[row]
            if bound == "min" and spec["type"] in {"float", "int"} and limit == 0:
                problem = f"{value} is negative; a count of people cannot be below 0."
            else:
                problem = f"{value} is {too} the allowed {bound}imum {spec[bound]}."
            raise DataError(f"{locate(row, name)}: {problem} Check the value and its unit.")


def _parse(text: str, path: Path) -> tuple[pd.DataFrame, dict[int, int]]:
    """CSV text to a table of strings indexed by row number (1, 2, ...), and each row's line."""
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        records = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as err:
        raise DataError(f"{path}, line {reader.line_num}: not well-formed CSV ({err}). "
                        "Check the quotation marks on that line.") from None
    if not records:
        raise DataError(f"{path}: the file has only blank lines. Write a header line and at least one row.")
    header = [h.strip() for h in records[0][1]]
    for number, (line, row) in enumerate(records[1:], start=1):
        if len(row) != len(header):
            raise DataError(f"{path}, row {number} (line {line}): {len(row)} fields, but the header has "
                            f"{len(header)}. A value with a comma (1,10) must lose the comma or be put in quotes.")
    table = pd.DataFrame([row for _, row in records[1:]], columns=header, dtype=str,
                         index=range(1, len(records)))
    return table, {number: line for number, (line, _) in enumerate(records[1:], start=1)}


def load_csv(path, schema: str | dict) -> pd.DataFrame:
    """Load a CSV file and check it against a schema (a data set name or a schema dict).

    Raises :class:`DataError` for an empty, binary, non-UTF-8 or oversized file, a missing
    or unknown column, a value of the wrong type, outside its range or not allowed (an
    unknown unit), and a duplicated key such as the same date twice.

    >>> load_csv(paths.data_dir() / "displacement" / "unhcr_totals.csv", schema="unhcr_totals").shape
    (11, 10)
    """
    path = Path(path)
    spec = read_schema(schema) if isinstance(schema, str) else schema
    text = read_utf8(path, MAX_BYTES, DataError, CSV_ADVICE)
    table, lines = _parse(text, path)
    locate = functools.partial(_where, path, lines=lines)
    expected = [c["name"] for c in spec["columns"]]
    missing = [c for c in expected if c not in table.columns]
    if missing:
        raise DataError(f"{locate(column=missing[0])}: the column is missing. The file needs the columns "
                        f"{', '.join(expected)} (it has {', '.join(table.columns)}).")
    extra = [c for c in table.columns if c not in expected]
    if extra:
        raise DataError(f"{locate(column=extra[0])}: unknown column. Remove it or rename it to one of "
                        f"{', '.join(expected)}.")
    if table.empty:
        raise DataError(f"{path}: the file has a header but no rows.")
    typed = pd.DataFrame({c["name"]: _convert(table[c["name"]], c, locate) for c in spec["columns"]})
    key = spec.get("key", [])
    duplicated = typed.duplicated(subset=key, keep=False) if key else pd.Series(False, index=typed.index)
    if duplicated.any():
        rows = list(typed.index[duplicated])
        values = ", ".join(str(table.loc[rows[0], k]) for k in key)
        raise DataError(f"{locate(rows[1], '/'.join(key))}: {values} appears more than once (rows "
                        f"{', '.join(map(str, rows[:5]))}). Keep one row per {' and '.join(key)}.")
    return typed.reset_index(drop=True)
