"""Code in a submission that a person should look at: what could game the tests or reach outside it."""

import re

# Code that can make tests pass without right answers, or reach outside the submission. Grading
# already defends against each (scratch copy, hidden tests on plain values, restored cells); these
# lines are shown to the instructor so a person looks at them too.
SUSPICIOUS = [
    (r"\b(builtins|__builtins__|sys\.modules|importlib|ctypes)\b", "reaches into Python itself"),
    (r"\bget_ipython\(\)\.(?!run_line_magic)", "reaches into the Jupyter kernel"),
    (r"\bdef __(eq|ne|lt|le|gt|ge|hash|bool|getattr|getattribute|instancecheck)__\b|__eq__\s*=",
     "defines how its objects compare (an object equal to everything passes any comparison)"),
    (r"^\s*(checks|pd|np)\s*=(?!=)", "rebinds a name the tests use"),
    (r"\b(checks|utils|np)\.[\w.]+\s*=(?!=)|\bpd\.(?!options\b)[\w.]+\s*=(?!=)|\bsetattr\(",
     "replaces part of a library the tests use"),
    (r"\bos\._exit\b|\bsubprocess\b|\bos\.system\b|\bsqlite3\b|\.\./\.\./", "runs programs or reaches other files"),
]


def suspicious_lines(nb) -> list[str]:
    """Lines in the cells a student may edit that a person should look at, each with why.

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("n = 3\\nchecks = None")])
    >>> suspicious_lines(nb)
    ['cell 1, line 2: `checks = None` rebinds a name the tests use']
    """
    found = []
    for number, cell in enumerate(nb.cells, start=1):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or meta.get("locked"):
            continue
        where = meta.get("grade_id") or f"cell {number}"
        for line_number, line in enumerate(cell.source.split("\n"), start=1):
            for pattern, why in SUSPICIOUS:
                if re.search(pattern, line):
                    found.append(f"{where}, line {line_number}: `{line.strip()[:80]}` {why}")
                    break
    return found
