"""The instructor's command line: ``wordsnums COMMAND``; ``wordsnums COMMAND --help`` for each."""

import argparse
import sys
import time
from pathlib import Path

from utils import course, demo, paths
from utils.scrape import write_clean_texts


def cmd_texts(args) -> int:
    """Regenerate data/texts/ from the raw scrape."""
    for path in write_clean_texts(paths.raw_scrape_path(), paths.texts_dir()):
        print(f"wrote {path}")
    return 0


def _selected(root: Path, assignment: str | None) -> list[str]:
    known = course.assignments(root)
    if assignment and assignment not in known:
        raise SystemExit(f"No assignment {assignment!r} in {root / 'source'}; known: {', '.join(known)}")
    return [assignment] if assignment else known


def cmd_build(args) -> int:
    """Generate release/ from source/ with nbgrader."""
    root = paths.course_root()
    for assignment in _selected(root, args.assignment):
        start = time.perf_counter()
        out = course.generate_release(root, assignment)
        print(f"released {assignment} -> {out} ({time.perf_counter() - start:.1f} s)")
    return 0


def cmd_demo(args) -> int:
    """Build release/, then grade a synthetic class with nbgrader and print each score."""
    root = paths.course_root()
    cmd_build(args)
    workdir = demo.prepare_course(root, Path(args.dir).resolve())
    print(f"\nDemo course in {workdir}: students {', '.join(f'{s} ({k})' for s, k in demo.DEMO_CLASS.items())}")
    failures = 0
    for assignment in _selected(root, args.assignment):
        start = time.perf_counter()
        table = demo.grade_class(workdir, assignment, demo.DEMO_CLASS)
        seconds = time.perf_counter() - start
        print(f"\n{assignment}: graded {len(table)} submissions in {seconds:.1f} s")
        for row in table.itertuples():
            ok = "ok" if row.score == row.expected else f"EXPECTED {row.expected:g}"
            print(f"  {row.student:<6} {row.kind:<9} {row.notebook:<22} {row.score:5g} / {row.max_score:g}"
                  f"  {ok}{'  (manual grading pending)' if row.needs_manual_grade else ''}")
            failures += row.score != row.expected
    print(f"\nGradebook: {workdir / 'gradebook.db'}; autograded notebooks: {workdir / 'autograded'}")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wordsnums", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("texts", help=cmd_texts.__doc__).set_defaults(func=cmd_texts)
    build = sub.add_parser("build", help=cmd_build.__doc__)
    build.add_argument("assignment", nargs="?", help="one assignment id (default: all)")
    build.set_defaults(func=cmd_build)
    run = sub.add_parser("demo", help=cmd_demo.__doc__)
    run.add_argument("assignment", nargs="?", help="one assignment id (default: all)")
    run.add_argument("--dir", default="demo-course", help="scratch course folder (default: demo-course)")
    run.set_defaults(func=cmd_demo)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
