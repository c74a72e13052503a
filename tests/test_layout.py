"""The kit's house rules: rooms whose imports run one way, modules that import without POSIX-only parts, one style."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from utils import paths

ROOT = paths.course_root()
# each room may import only the rooms before it: library <- course <- grading <- instructor
ROOMS = ["library", "course", "grading", "instructor"]
STUDENT_LIBRARY = {"checks", "hints", "nlp", "reading", "texts", "keyness", "stance", "plots", "datasets"}


def room(module: str) -> str:
    """The room of a module of the kit, by its dotted name."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ROOMS else "library"


def kit_modules() -> list[str]:
    return sorted(".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                  for p in (ROOT / "utils").rglob("*.py"))


def kit_imports(module: str) -> set[str]:
    """The kit's modules that ``module`` imports, anywhere in its code."""
    path = ROOT / Path(*module.split("."))
    tree = ast.parse((path / "__init__.py" if path.is_dir() else path.with_suffix(".py")).read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
    return {name for name in found if name == "utils" or name.startswith("utils.")}


@pytest.mark.parametrize("module", kit_modules())
def test_imports_run_one_way(module):
    mine = ROOMS.index(room(module))
    upward = sorted(name for name in kit_imports(module) if ROOMS.index(room(name)) > mine)
    assert upward == [], f"{module} ({room(module)}) imports from a room above it: {upward}"


def test_the_student_library_is_where_notebooks_import_it():
    for name in STUDENT_LIBRARY:
        assert (ROOT / "utils" / f"{name}.py").is_file(), name
    assert {m.split(".")[1] for m in kit_modules() if m.count(".") == 1} >= STUDENT_LIBRARY | {"course", "grading"}


def test_every_module_imports_and_loads_the_config_without_posix_only_modules():
    """fcntl and resource do not exist on Windows: nothing of the kit may need them to import."""
    code = "\n".join([
        "import sys, importlib, warnings",
        "sys.modules['fcntl'] = None; sys.modules['resource'] = None  # import fcntl now raises ImportError",
        "warnings.simplefilter('ignore')  # filelock says it falls back to a soft lock",
        f"for name in {kit_modules()!r}:",
        "    importlib.import_module(name)",
        "from traitlets.config import PyFileConfigLoader",
        f"config = PyFileConfigLoader('nbgrader_config.py', path={str(ROOT)!r}).load_config()",
        "from utils.grading.execute import KitExecute",
        "assert KitExecute(config=config).memory_limit_mb == 2048",
        "print('imported', len(sys.modules))",
    ])
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("imported")


@pytest.mark.slow
def test_grading_runs_without_a_memory_limit_where_the_system_has_none(tmp_path):
    code = "\n".join([
        "import sys, logging, warnings",
        "sys.modules['resource'] = None",
        "import nbformat",
        "from utils.grading.execute import KitExecute",
        "logging.basicConfig(level=logging.WARNING, format='%(message)s')",
        "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('print(6 * 7)')])",
        f"nb, _ = KitExecute(timeout=60).preprocess(nb, {{'metadata': {{'path': {str(tmp_path)!r}}}}})",
        "print(nb.cells[0].outputs[0]['text'], end='')",
    ])
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert run.stdout == "42\n", run.stderr
    assert "cannot limit a kernel's memory" in run.stderr


def test_ruff_passes():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    assert ruff, "ruff is a test dependency: pip install -e '.[test]'"
    run = subprocess.run([ruff, "check", "--no-cache", "."], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
