"""Code in a submission that a person should look at: what could game the tests or reach outside it.

Each cell a student may edit is parsed (IPython syntax such as ``%matplotlib`` or ``!ls`` made Python
first) and its syntax tree walked, so a name is found however it was imported (``import subprocess as
sp`` and then ``sp.run``), while the same words in comments and in ordinary strings are not.
"""

import ast
import difflib
import warnings

from IPython.core.inputtransformer2 import TransformerManager

PYTHON = "reaches into Python itself"
KERNEL = "reaches into the Jupyter kernel"
COMPARES = "defines how its objects compare (an object equal to everything passes any comparison)"
REBINDS = "rebinds a name the tests use"
REPLACES = "replaces part of a library the tests use"
PROGRAMS = "runs programs or reaches other files"
RUN_TIME = "runs code built at run time"
NETWORK = "reaches the network"

# Code that can make tests pass without right answers, or reach outside the submission. Grading
# already defends against each (scratch copy, hidden tests on plain values, restored cells); these
# lines are shown to the instructor so a person looks at them too. Names are as imported (sp.run after
# `import subprocess as sp` is subprocess.run); a name covers what is under it (importlib covers
# importlib.import_module), and a final * any ending (os.exec* covers os.execv).
SUSPICIOUS = {
    PYTHON: "builtins __builtins__ importlib ctypes gc inspect globals vars locals sys.modules sys.meta_path "
            "sys.path sys.path_hooks sys.settrace sys.setprofile sys._getframe sys.addaudithook sys.displayhook "
            "sys.__displayhook__ sys.excepthook",
    KERNEL: "get_ipython IPython.get_ipython IPython.core ipykernel jupyter_client",
    RUN_TIME: "exec eval compile __import__ runpy code codeop pickle marshal",
    REPLACES: "setattr delattr",
    PROGRAMS: "subprocess multiprocessing concurrent threading _thread signal atexit pty posix sqlite3 shutil "
              "os.system os.popen os.fork* os.kill* os._exit os.abort os.exec* os.spawn* os.posix_spawn* "
              "os.remove* os.unlink os.rmdir os.rename* os.replace os.chdir os.chmod os.truncate",
    NETWORK: "socket ssl urllib http requests ftplib smtplib",
}
RULES = [(why, names.split()) for why, names in SUSPICIOUS.items()]
BUILTINS = {"__builtins__", "__import__", "exec", "eval", "compile", "globals", "vars", "locals", "getattr",
            "setattr", "delattr", "get_ipython"}  # names that need no import

# The names the tests use, and what each is when the notebook's setup cell has imported it
CANONICAL = {"checks": "utils.checks", "utils": "utils", "texts": "utils.texts", "nlp": "utils.nlp",
             "reading": "utils.reading", "datasets": "utils.datasets", "plots": "utils.plots", "pd": "pandas",
             "np": "numpy"}
TEST_NAMES = set(CANONICAL) | {"abs", "all", "any", "bool", "float", "int", "isinstance", "len", "list", "set",
                               "sorted", "str"}
LIBRARIES = {"utils", "pandas", "numpy"}
# What makes an object pass a comparison, a type check or a numeric check it should fail
COMPARISONS = set("__eq__ __ne__ __lt__ __le__ __gt__ __ge__ __hash__ __bool__ __len__ __contains__ __abs__ "
                  "__sub__ __float__ __int__ __index__ __round__ __getattr__ __getattribute__ __instancecheck__ "
                  "__subclasscheck__".split())
# Ways from any object to the interpreter's own: classes, modules' globals, call frames
INTROSPECTION = set("__class__ __bases__ __base__ __mro__ __subclasses__ __globals__ __code__ __closure__ __dict__ "
                    "__builtins__ __setattr__ __delattr__ f_back f_globals f_locals f_builtins tb_frame gi_frame"
                    .split())
# Magics (as IPython's run_line_magic) that only show things; %time and %timeit are not here because the code
# they run is a string this scan cannot see
SAFE_MAGICS = {"matplotlib", "pinfo", "pinfo2", "pdef", "pdoc", "who", "whos", "lsmagic", "magic", "precision",
               "pprint", "xmode"}


def _matches(name: str, pattern: str) -> bool:
    if pattern.endswith("*"):
        return name.startswith(pattern[:-1])
    return name == pattern or name.startswith(pattern + ".")


def _leaves_folder(text: str) -> bool:
    """A path that climbs out of the submission's folder ("../x") or starts at the root ("/home/...")."""
    if not text or any(c.isspace() for c in text):  # prose, not a path
        return False
    return ".." in text.replace("\\", "/").split("/") or (
        text.startswith("/") and len(text) > 1 and (text[1].isalnum() or text[1] in "._~-"))


class SuspiciousCode(ast.NodeVisitor):
    """Walks a notebook's cells in order, remembering their imports, and finds each cell's suspicious lines."""

    def __init__(self):
        self.aliases = {}  # a name an import bound -> what it is, e.g. "sp" -> "subprocess"
        self.found = {}  # line -> why, the first reason found on it, in the cell being walked
        self.call_line = None  # first line of the outermost call being walked: a call is reported there, once

    def scan(self, tree) -> dict[int, str]:
        self.found, self.call_line = {}, None
        self.visit(tree)
        return self.found

    def flag(self, node, why: str) -> None:
        self.found.setdefault(self.call_line or node.lineno, why)

    def resolve(self, node) -> str | None:
        """What a name or attribute stands for ("subprocess.run" for ``sp.run``); None for the student's own."""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id) or CANONICAL.get(node.id) or (node.id if node.id in BUILTINS else None)
        if isinstance(node, ast.Attribute) and (base := self.resolve(node.value)):
            return f"{base}.{node.attr}"
        return None

    def check(self, node, name: str) -> None:
        for why, patterns in RULES:
            if any(_matches(name, p) for p in patterns):
                self.flag(node, why)
                return

    def bind(self, node, name: str, what: str) -> None:
        self.aliases[name] = what
        if name in TEST_NAMES and CANONICAL.get(name) != what:  # `import pandas as pd` again is fine
            self.flag(node, REBINDS)

    def visit_Import(self, node):
        for alias in node.names:
            top = alias.name.split(".")[0]
            self.bind(node, alias.asname or top, alias.name if alias.asname else top)
            self.check(node, alias.name)

    def visit_ImportFrom(self, node):
        module = "." * node.level + (node.module or "")
        for alias in node.names:
            if alias.name == "*":  # which names it binds is unknown: flagged if the module holds a flagged one
                self.check(node, module)
                for why, patterns in RULES:
                    if any(p.startswith(module + ".") for p in patterns):
                        self.flag(node, why)
            else:
                self.bind(node, alias.asname or alias.name, f"{module}.{alias.name}")
                self.check(node, f"{module}.{alias.name}")

    def visit_FunctionDef(self, node):
        if node.name in COMPARISONS:
            self.flag(node, COMPARES)
        elif node.name in TEST_NAMES:
            self.flag(node, REBINDS)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    def visit_Global(self, node):
        if TEST_NAMES.intersection(node.names):
            self.flag(node, REBINDS)

    def visit_Name(self, node):
        if node.id in INTROSPECTION:
            self.flag(node, PYTHON)
        elif not isinstance(node.ctx, ast.Load):  # assigned, deleted, a for loop's or a with's target
            if node.id in COMPARISONS:
                self.flag(node, COMPARES)
            elif node.id in TEST_NAMES:
                self.flag(node, REBINDS)
        elif name := self.resolve(node):
            self.check(node, name)

    def visit_Attribute(self, node):
        name = self.resolve(node)
        if node.attr in INTROSPECTION:
            self.flag(node, PYTHON)
        elif not isinstance(node.ctx, ast.Load) and node.attr in COMPARISONS:
            self.flag(node, COMPARES)
        elif not isinstance(node.ctx, ast.Load) and name and self.in_library(name):
            self.flag(node, REPLACES)
        elif name:
            self.check(node, name)
        self.generic_visit(node)

    def visit_Subscript(self, node):  # checks.SOMETHING["key"] = ...
        if not isinstance(node.ctx, ast.Load) and (name := self.resolve(node.value)) and self.in_library(name):
            self.flag(node, REPLACES)
        self.generic_visit(node)

    @staticmethod
    def in_library(name: str) -> bool:
        return name.split(".")[0] in LIBRARIES and not name.startswith("pandas.options.")  # display settings

    def visit_Call(self, node):
        outer, self.call_line = self.call_line, self.call_line or node.lineno
        magic = node.args[0] if node.args and ast.unparse(node.func) == "get_ipython().run_line_magic" else None
        if isinstance(magic, ast.Constant) and magic.value in SAFE_MAGICS:
            for child in node.args + node.keywords:  # get_ipython() itself is fine here
                self.visit(child)
        else:
            self.generic_visit(node)
            if self.resolve(node.func) == "getattr" and len(node.args) > 1:
                self.visit_getattr(node, *node.args[:2])
        self.call_line = outer

    def visit_getattr(self, node, obj, attr):
        if not (base := self.resolve(obj)):
            return
        if isinstance(attr, ast.Constant) and isinstance(attr.value, str):
            self.check(node, f"{base}.{attr.value}")  # getattr(os, "system") is os.system
        else:
            self.flag(node, RUN_TIME)  # getattr(os, "sys" + "tem"): a name put together while it runs

    def visit_Constant(self, node):
        if not isinstance(node.value, str):
            return
        if node.value in COMPARISONS:  # setattr(cls, "__eq__", ...), type("X", (), {"__eq__": ...})
            self.flag(node, COMPARES)
        elif node.value in INTROSPECTION:
            self.flag(node, PYTHON)
        elif _leaves_folder(node.value):
            self.flag(node, PROGRAMS)


def _tree(code: str):
    """The code's syntax tree, or None if it is not Python."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an invalid escape like "\d" is worth no line in the grading log
        try:
            return ast.parse(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError):  # ValueError: a null byte
            return None


def _parse(source: str):
    """The cell's syntax tree and, per line of the tree, the cell's line it came from; (None, {}) if the cell
    is not Python even with IPython's syntax made Python (a student's syntax error fails its tests anyway)."""
    if (tree := _tree(source)) is not None:
        return tree, {}
    try:
        code = TransformerManager().transform_cell(source)
    except Exception:  # IPython gives up on some broken cells too
        return None, {}
    if (tree := _tree(code)) is None:
        return None, {}
    # IPython drops leading blank lines, and makes a magic one line with the lines continuing it (ending in \)
    lines = source.rstrip().split("\n")
    skip = next((i for i, line in enumerate(lines) if line.strip()), 0)
    old, new, line_of = lines[skip:], code.rstrip().split("\n"), {}
    for _, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        starts = list(range(i1, i2)) if i2 - i1 == j2 - j1 else (  # else the lines that do not continue one
            [i for i in range(i1, i2) if i == i1 or not old[i - 1].endswith("\\")] or [min(i1, len(old) - 1)])
        for j in range(j1, j2):
            line_of[j + 1] = skip + starts[min(j - j1, len(starts) - 1)] + 1
    return tree, line_of


def suspicious_lines(nb) -> list[str]:
    """Lines in the cells a student may edit that a person should look at, each with why.

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("n = 3\\nchecks = None")])
    >>> suspicious_lines(nb)
    ['cell 1, line 2: `checks = None` rebinds a name the tests use']
    >>> code = 'import subprocess as sp\\nnote = "no subprocess here"  # nor here\\nsp.run(["ls"])'
    >>> for line in suspicious_lines(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])):
    ...     print(line)
    cell 1, line 1: `import subprocess as sp` runs programs or reaches other files
    cell 1, line 3: `sp.run(["ls"])` runs programs or reaches other files
    """
    found = []
    scan = SuspiciousCode()
    for number, cell in enumerate(nb.cells, start=1):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or meta.get("locked"):
            continue
        where = meta.get("grade_id") or f"cell {number}"
        source = cell.source.replace("\r\n", "\n").replace("\r", "\n")  # lines as Python counts them
        tree, line_of = _parse(source)
        if tree is None:
            continue
        try:
            flagged = scan.scan(tree)
        except RecursionError:  # absurdly deep code: what was found so far
            flagged = scan.found
        by_line, lines = {}, source.split("\n")
        for n, why in sorted(flagged.items()):
            by_line.setdefault(line_of.get(n, n), why)
        found += [f"{where}, line {n}: `{lines[n - 1].strip()[:80]}` {why}" for n, why in sorted(by_line.items())]
    return found
