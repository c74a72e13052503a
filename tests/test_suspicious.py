"""The scan for code to review by hand: what it flags, what it leaves alone, and silence on the solutions."""

import nbformat
import pytest
from conftest import ROOT, SOURCE_NOTEBOOKS
from fixture_class import GAMER, VANDAL
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from utils.course import synthetic
from utils.grading.suspicious import (
    COMPARES,
    KERNEL,
    NETWORK,
    PROGRAMS,
    PYTHON,
    REBINDS,
    REPLACES,
    RUN_TIME,
    suspicious_lines,
)


def answer(source, grade_id=None, locked=False):
    cell = new_code_cell(source)
    if grade_id:
        cell.metadata["nbgrader"] = {"grade_id": grade_id, "solution": not locked, "grade": False,
                                     "locked": locked, "schema_version": 3}
    return cell


def scan(*sources):
    return suspicious_lines(new_notebook(cells=[answer(s) if isinstance(s, str) else s for s in sources]))


def expected(code, *flags):
    """The entries for one cell: (line, why) pairs, each line shown as written in the cell."""
    lines = code.split("\n")
    return [f"cell 1, line {n}: `{lines[n - 1].strip()[:80]}` {why}" for n, why in flags]


FLAGGED = {
    "ctypes": ("import ctypes\nctypes.string_at(0)", (1, PYTHON), (2, PYTHON)),
    "sqlite3": ("import sqlite3", (1, PROGRAMS)),
    "os._exit": ("import os\nos._exit(1)", (2, PROGRAMS)),
    "alias": ("import subprocess as sp\nn = 3\nsp.run(['ls'])", (1, PROGRAMS), (3, PROGRAMS)),
    "from-import alias": ("from subprocess import run as r\nn = 3\nr('ls')", (1, PROGRAMS), (3, PROGRAMS)),
    "star import": ("from os import *", (1, PROGRAMS)),
    "__import__": ('db = __import__("sql" + "ite3")', (1, RUN_TIME)),
    "importlib": ("import importlib\nimportlib.import_module('sqlite3')", (1, PYTHON), (2, PYTHON)),
    "exec": ("exec('x = 1')", (1, RUN_TIME)),
    "eval": ("x = eval('1 + 1')", (1, RUN_TIME)),
    "compile": ("code = compile('1', 'x', 'eval')", (1, RUN_TIME)),
    "eval by another name": ("run = eval\nrun('1')", (1, RUN_TIME)),
    "getattr __builtins__": ("run = getattr(__builtins__, 'ex' + 'ec')", (1, PYTHON)),
    "getattr a module": ("import os\ngetattr(os, 'system')('ls')", (2, PROGRAMS)),
    "getattr built name": ("import os\ngetattr(os, 'sys' + 'tem')('ls')", (2, RUN_TIME)),
    "setattr": ("setattr(checks, 'expect_type', print)", (1, REPLACES)),
    "sys.modules": ("import sys\nsys.modules['utils.checks'] = None", (2, PYTHON)),
    "builtins": ("import builtins\nbuiltins.len = lambda x: 3", (1, PYTHON), (2, PYTHON)),
    "globals()": ("globals()['checks'] = None", (1, PYTHON)),
    "__subclasses__": ("classes = ().__class__.__bases__[0].__subclasses__()", (1, PYTHON)),
    "__globals__": ("g = checks.expect_type.__globals__", (1, PYTHON)),
    "__code__": ("checks.passed.__code__ = (lambda *a: None).__code__", (1, PYTHON)),
    "os.system": ("import os\nos.system('ls')", (2, PROGRAMS)),
    "os.popen": ("import os\nout = os.popen('ls').read()", (2, PROGRAMS)),
    "os.fork": ("import os\npid = os.fork()", (2, PROGRAMS)),
    "os.kill": ("import os\nos.kill(os.getpid(), 9)", (2, PROGRAMS)),
    "socket": ("import socket", (1, NETWORK)),
    "multiprocessing": ("from multiprocessing import Process", (1, PROGRAMS)),
    "signal": ("import signal\nsignal.alarm(1)", (1, PROGRAMS), (2, PROGRAMS)),
    "get_ipython": ("get_ipython().system('ls')", (1, KERNEL)),
    "get_ipython kept": ("ip = get_ipython()\nip.run_cell('x = 1')", (1, KERNEL)),
    "!ls": ("n = 3\n!ls", (2, KERNEL)),
    "cell magic": ("%%bash\nls\nrm -rf ..", (1, KERNEL)),
    "%run": ("%run ../../other.py", (1, KERNEL)),
    "__eq__": ("class Anything:\n    def __eq__(self, other):\n        return True", (2, COMPARES)),
    "__ne__ and __bool__": ("class A:\n    def __ne__(self, o): return False\n    def __bool__(self): return True",
                            (2, COMPARES), (3, COMPARES)),
    "__hash__ assigned": ("class A:\n    __hash__ = object.__hash__\n    __lt__ = __gt__ = lambda s, o: True",
                          (2, COMPARES), (3, COMPARES)),
    "__instancecheck__": ("class Meta(type):\n    def __instancecheck__(cls, obj):\n        return True",
                          (2, COMPARES)),
    "__getattribute__": ("class A:\n    def __getattribute__(self, name):\n        return 0", (2, COMPARES)),
    "__eq__ patched": ("str.__eq__ = None", (1, COMPARES)),
    "__eq__ by type()": ("A = type('A', (), {'__eq__': lambda s, o: True})", (1, COMPARES)),
    "checks =": ("checks = None", (1, REBINDS)),
    "pd =": ("n = 3\npd = None", (2, REBINDS)),
    "np +=": ("np += 1", (1, REBINDS)),
    "for target": ("for utils in range(3):\n    pass", (1, REBINDS)),
    "import as": ("import pandas as checks", (1, REBINDS)),
    "from import as": ("from collections import Counter as texts", (1, REBINDS)),
    "global": ("def f():\n    global texts\n    texts = None", (2, REBINDS), (3, REBINDS)),
    "def checks": ("def checks():\n    pass", (1, REBINDS)),
    "a builtin the tests use": ("str = lambda value: 'False'", (1, REBINDS)),
    "del": ("del np", (1, REBINDS)),
    "checks.x =": ("checks.expect_type = print", (1, REPLACES)),
    "utils.x =": ("utils.checks.passed = print", (1, REPLACES)),
    "np.x =": ("np.mean = max", (1, REPLACES)),
    "texts.x =": ("texts.load_text = lambda name: ''", (1, REPLACES)),
    "pd.x =": ("pd.Series.equals = lambda self, other: True", (1, REPLACES)),
    "an alias of pandas": ("import pandas as p\np.DataFrame.equals = None", (2, REPLACES)),
    "../ in open": ("n = 3\nopen('../../../nbgrader_config.py', 'a').write('#')", (2, PROGRAMS)),
    "absolute path": ("open('/home/teacher/course/source/a1/x.txt', 'w')", (1, PROGRAMS)),
    "Path": ("from pathlib import Path\nPath('..', '..', 'gradebook.db').unlink()", (2, PROGRAMS)),
    "f-string": ("target = f'../../{name}.txt'", (1, PROGRAMS)),
    "a list of paths": ("for target in ['../../a.txt',\n               '../../b.txt']:\n    pass",
                        (1, PROGRAMS), (2, PROGRAMS)),
    "a call over lines": ("import subprocess as sp\nsp.run(\n    ['ls'],\n    cwd='../..',\n)", (1, PROGRAMS),
                          (2, PROGRAMS)),
    "a path argument over lines": ("data = read(\n    'x.csv',\n    '../../gradebook.db',\n)", (1, PROGRAMS)),
    "one entry per line": ("import os; os.system('ls'); checks = None", (1, PROGRAMS)),
    "magics keep line numbers": ("\n%matplotlib inline\nn = 3\n%time m = \\\n  4\nx = eval('1')",
                                 (4, KERNEL), (6, RUN_TIME)),
    "continued magics": ("n = 1\n%time m = \\\n  1\n%time k = \\\n  2\nexec('z')\n\n", (2, KERNEL), (4, KERNEL),
                         (6, RUN_TIME)),
    "an indented cell": ("    n = 3\n    exec('x')", (2, RUN_TIME)),
    "Windows line ends": ("n = 3\r\nexec('x')\r\n", (2, RUN_TIME)),
}


@pytest.mark.parametrize("code, flags", [(code, flags) for code, *flags in FLAGGED.values()], ids=list(FLAGGED))
def test_flagged(code, flags):
    assert scan(code) == expected(code.replace("\r\n", "\n"), *flags)


NOT_FLAGGED = {
    "comments": "# import subprocess; exec(x); checks = None\nn = 3  # os.system, ../../gradebook.db",
    "words in strings": 'paragraph = "He never used subprocess or exec here, nor ../ paths, nor __eq__ tricks"',
    "a docstring": 'def f():\n    """Call eval(), os.system or get_ipython().system on /etc/passwd."""\n    return 1',
    "pandas display options": "pd.options.display.max_rows = 5\npd.set_option('display.max_columns', 10)",
    "checks calls": "checks.check_quotes(paragraph, text_a)\nchecks.expect_type(n, int, 'n')",
    "imports again": "import re\nimport pandas as pd\nimport numpy as np\nfrom utils import checks, texts\nimport os",
    "pandas": ("df = pd.DataFrame({'a': [1, 2]})\ndf.loc[df['a'] > 1, 'b'] = 3\ndf.columns = ['x', 'y']\n"
               "total = df.groupby('x')['y'].sum().sort_values()\nshare = float(total.iloc[0] / total.sum())"),
    "matplotlib": ("%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.rcParams['figure.figsize'] = (8, 4)\n"
                   "fig, ax = plt.subplots()\nax.bar(['A/B', 'C'], [1, 2])\nax.set_title('per 1/1000 words')"),
    "paths inside the folder": ("from pathlib import Path\nrows = open('data/notes.txt').read().split('/')\n"
                                "Path('figures').mkdir(exist_ok=True)"),
    "re.compile": "import re\npattern = re.compile(r'\\d+')\nfrom re import compile\nwords = compile('w')",
    "os.path": "import os\nname = os.path.join('data', 'x.csv')\nhere = os.getcwd()",
    "help": "df?",
    "a syntax error": "def f(:\n    exec('x')",
    "a null byte": "x = 1\x00",
    "empty": "",
}


@pytest.mark.parametrize("code", NOT_FLAGGED.values(), ids=list(NOT_FLAGGED))
def test_not_flagged(code):
    assert scan(code) == []


def test_the_gamer_is_flagged_where_the_fixture_class_expects():
    found = suspicious_lines(new_notebook(cells=[answer(GAMER, "q1_boundary")]))
    assert any(f.startswith("q1_boundary, line 3: `def __eq__(self, other):` defines how its objects compare")
               for f in found)
    assert "q1_boundary, line 9: `checks = Anything()` rebinds a name the tests use" in found


def test_the_vandal_and_the_segfault_are_flagged():
    assert scan(VANDAL)[0] == "cell 1, line 2: `import sqlite3` runs programs or reaches other files"
    assert scan("n = 3\nimport ctypes\nctypes.string_at(0)")[0] == "cell 1, line 2: `import ctypes` " + PYTHON


def test_only_unlocked_code_cells_in_order_with_where_and_imports_across_cells():
    nb = new_notebook(cells=[answer("import subprocess as sp\nexec('x')", "setup", locked=True),
                             new_markdown_cell("exec(x) and `checks = None`"),
                             answer("import subprocess as sp"),
                             answer("n = 3\nsp.run('ls')", "q1"),
                             answer("checks = None", "q1_test", locked=True)])
    assert suspicious_lines(nb) == ["cell 3, line 1: `import subprocess as sp` " + PROGRAMS,
                                    "q1, line 2: `sp.run('ls')` " + PROGRAMS]


def test_code_too_deep_to_walk_does_not_stop_the_scan():
    assert scan("x = 1" + " + 1" * 20_000, "x = [" * 150 + "1" + "]" * 150, "exec('x')") == [
        "cell 3, line 1: `exec('x')` " + RUN_TIME]


def test_a_long_line_is_cut():
    [entry] = scan("exec('" + "x" * 200 + "')")
    assert entry == f"cell 1, line 1: `exec('{'x' * 74}` {RUN_TIME}"


@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=[p.stem for p in SOURCE_NOTEBOOKS])
def test_no_solution_and_no_release_is_flagged(path):
    source = nbformat.read(path, as_version=4)
    release = nbformat.read(ROOT / "release" / path.parent.name / path.name, as_version=4)
    assert suspicious_lines(release) == []
    assert suspicious_lines(synthetic.submission("full", source, release)) == []
