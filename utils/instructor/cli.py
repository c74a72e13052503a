"""The instructor's command line: ``wordsnums COMMAND``; ``wordsnums COMMAND --help`` for each.

Run it from the course folder (the one with nbgrader_config.py), or give ``--course``.
"""

import argparse
import os
import sys
import time
from pathlib import Path

from nbgrader.api import Gradebook
from tqdm import tqdm

from utils import paths
from utils.course import lint, model, release_manifest
from utils.course.model import question_label
from utils.course.scrape import write_clean_texts
from utils.grading import cluster, extensions, gradebook, gradebook_copy, lms, parallel, report
from utils.grading.plugins import KitCsvExport
from utils.instructor import bundle, demo, similarity_report


def _course(args) -> Path:
    root = Path(args.course).resolve() if args.course else paths.course_root()
    if not (root / "nbgrader_config.py").is_file():
        raise SystemExit(f"{root} is not a course folder (no nbgrader_config.py). Use --course FOLDER.")
    return root


def _selected(root: Path, assignment: str | None) -> list[str]:
    known = model.assignments(root)
    if assignment and assignment not in known:
        raise SystemExit(f"No assignment {assignment!r} in {root / 'source'}; known: {', '.join(known)}")
    return [assignment] if assignment else known


def _at_least_one(what: str):
    """An argparse type: a whole number of ``what``, 1 or more (argparse refuses anything else, exit 2)."""

    def parse(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if number < 1:
            raise argparse.ArgumentTypeError(f"{number} {what}: give 1 or more")
        return number

    return parse


_jobs = _at_least_one("graders cannot grade anything")


def _server_down(command: str, root: Path) -> int:
    """Exit code 2, with one line naming the course's gradebook server and the fix, if it cannot be reached; else 0.

    For the commands that run nbgrader on the gradebook (whose own error is a traceback)."""
    if down := gradebook.server_problem(root):
        print(f"wordsnums {command}: {down}", file=sys.stderr)
        return 2
    return 0


def _gradebook_refused(command: str, problem: gradebook.GradebookProblem, then: str = "") -> int:
    print(f"wordsnums {command}: {problem}{then}", file=sys.stderr)
    return 2 if problem.broken else 1


def cmd_texts(args) -> int:
    """Regenerate data/texts/ from the raw scrape."""
    for path in write_clean_texts(paths.raw_scrape_path(), paths.texts_dir()):
        print(f"wrote {path}")
    return 0


def cmd_build(args) -> int:
    """Generate release/ from source/ with nbgrader; refuses to overwrite hand edits without --force."""
    root = _course(args)
    if down := _server_down(args.command, root):
        return down
    refused = 0
    for assignment in _selected(root, args.assignment):
        edited = release_manifest.hand_edits(root, assignment)
        if edited and not args.force:
            print(f"refused {assignment}: release/{assignment} has changes the kit did not make "
                  f"({', '.join(edited)}). Move them into source/ and run again with --force.", file=sys.stderr)
            refused += 1
            continue
        start = time.perf_counter()
        out = model.generate_release(root, assignment)
        release_manifest.record(root, assignment)
        print(f"released {assignment} -> {out} ({time.perf_counter() - start:.1f} s)")
    return 1 if refused else 0


def cmd_check(args) -> int:
    """Lint the course: metadata, grade_ids, points, locked tests, release in sync, no leaks, no outputs."""
    root = _course(args)
    problems = lint.course_problems(root, _selected(root, args.assignment))
    for problem in problems:
        print(f"- {problem}")
    print(f"{len(problems)} problem(s)" if problems else "The course is clean: no problems found.")
    return 1 if problems else 0


def _bar(total: int, label: str):
    """A progress bar on stderr (off when not a terminal) and the callback that advances it."""
    bar = tqdm(total=total, desc=label, unit="submission", file=sys.stderr, disable=None)

    def tick(outcome):
        bar.update(1)
        bar.set_postfix_str(f"{outcome.student}: {outcome.status}")

    return bar, tick


def _chosen(root: Path, assignments: list[str], wanted: list[str] | None) -> dict[str, list[str] | None]:
    """The students to grade in each assignment: None for all; refuses an id with no submission of any."""
    if not wanted:
        return dict.fromkeys(assignments)
    wanted = list(dict.fromkeys(wanted))  # an id given twice is graded once
    submitted = {assignment: set(parallel.students(root, assignment)) for assignment in assignments}
    unknown = [student for student in wanted if not any(student in who for who in submitted.values())]
    if unknown:
        raise ValueError(f"no submission of {' or '.join(assignments)} from {', '.join(unknown)} in "
                         f"{root / 'submitted'}; nothing graded")
    return {assignment: [student for student in wanted if student in submitted[assignment]]
            for assignment in assignments}


def _failed_lines(failed: list, many: int = 3) -> list[str]:
    """A FAILED line per student; one for all the students who failed for the same reason, if more than ``many``
    (a lost scheduler leaves thousands): the CSV log lists each."""
    by_message = {}
    for outcome in failed:
        by_message.setdefault(outcome.message, []).append(outcome.student)
    lines = []
    for message, students in by_message.items():
        if len(students) > many:
            lines.append(f"  FAILED {len(students)} students ({', '.join(students[:many])} and "
                         f"{len(students) - many} more): {message}")
        else:
            lines += [f"  FAILED {student}: {message}" for student in students]
    return lines


def cmd_grade(args) -> int:
    """Autograde a class in parallel (a fresh kernel per submission); failures are listed at the end."""
    root = _course(args)
    selected = _selected(root, args.assignment)
    # work in autograded/ means grades were made; an empty gradebook beside it has lost them
    problem = gradebook.gradebook_problem(root, work_in=("autograded",))
    if problem and (problem.broken or not args.force):
        return _gradebook_refused(args.command, problem)
    chosen = _chosen(root, selected, args.students)
    if unbuilt := [a for a in chosen if parallel.students(root, a) and not gradebook.registered(root, a)]:
        build = f"wordsnums build {unbuilt[0]}" if len(unbuilt) == 1 else "wordsnums build"
        print(f"wordsnums {args.command}: the gradebook does not hold {' or '.join(unbuilt)} yet (its notebooks and "
              f"tests): run `{build}` first; nothing graded", file=sys.stderr)
        return 2
    if problem:
        print(f"wordsnums {args.command}: regrading, as --force asks: {problem}", file=sys.stderr)
    scheduler = args.scheduler or cluster.configured_scheduler(root)
    where = f"on the Dask cluster at {scheduler}" if scheduler else f"with {args.jobs or os.cpu_count()} jobs"
    failed = 0
    for assignment, only in chosen.items():
        if only == []:  # grading all assignments, and none of the students chosen submitted this one
            print(f"{assignment}: no submission from {', '.join(dict.fromkeys(args.students))}; nothing to grade")
            continue
        start = time.perf_counter()
        bar, tick = _bar(len(parallel.students(root, assignment)) if only is None else len(only), assignment)
        try:
            outcomes = parallel.grade(root, assignment, jobs=args.jobs, force=args.force, progress=tick, only=only,
                                      warm=not args.cold, scheduler=scheduler)
        except cluster.ClusterUnavailable as err:
            print(f"wordsnums {args.command}: {err}; nothing graded", file=sys.stderr)
            return 2
        finally:
            bar.close()
        counts = {s: sum(o.status == s for o in outcomes) for s in ("graded", "skipped", "failed")}
        print(f"{assignment}: {counts['graded']} graded, {counts['skipped']} skipped (unchanged), "
              f"{counts['failed']} failed, in {time.perf_counter() - start:.1f} s {where}")
        for line in (_failed_lines([o for o in outcomes if o.status == "failed"])
                     + [f"  NOTE {o.student}: {note}" for o in outcomes for note in o.notes]):
            print(line)
        print(f"  what happened to each submission: {parallel.write_log(root, assignment, outcomes)}")
        failed += counts["failed"]
    return 1 if failed else 0


def cmd_feedback(args) -> int:
    """HTML feedback per student: each test's result and message, never hidden test code. A student with answers
    not graded yet gets none unless --allow-pending, and then sees those answers as not graded yet."""
    root = _course(args)
    if down := _server_down(args.command, root):
        return down
    held_back = 0
    for assignment in _selected(root, args.assignment):
        waiting = gradebook.answers_to_grade(root, assignment)
        command = ["generate_feedback", assignment]
        if waiting:
            print(f"{assignment}: {len(waiting)} student(s) have answers not graded yet: "
                  + "; ".join(f"{student} ({', '.join(map(_question, names))})" for student, names in waiting.items()))
            if args.allow_pending:
                print("  their feedback shows those answers as not graded yet, and the score so far")
            else:
                held_back += len(waiting)
                command.append(f"--CourseDirectory.student_id_exclude={','.join(waiting)}")
                print("  their feedback is not written: grade those answers in the formgrader, or run again with "
                      "--allow-pending to write it now")
        model.run_nbgrader(command, cwd=root)
        files = sorted((root / "feedback").glob(f"*/{assignment}/*.html"))
        print(f"{assignment}: {len(files)} feedback files in {root / 'feedback'}")
    return 1 if held_back else 0


def _question(grade_id: str) -> str:
    return question_label(grade_id, "manual").split(" ", 1)[0]


def cmd_export(args) -> int:
    """Grades CSV with autograded, manual and late-penalty columns, or a Canvas or Moodle gradebook import file."""
    root = _course(args)
    out = Path(args.to).resolve()
    if not out.parent.is_dir():
        print(f"wordsnums {args.command}: there is no folder {out.parent} for {out.name}: make it (mkdir -p "
              f"{out.parent}) or give another --to", file=sys.stderr)
        return 2
    if problem := gradebook.gradebook_problem(root):
        return _gradebook_refused(args.command, problem, f"; nothing written to {out}")
    if args.format != "csv" and not args.students:
        print(f"wordsnums {args.command}: a {args.format} file needs --students FILE, the map of nbgrader ids to "
              f"LMS accounts ({','.join(lms.REQUIRED)}); nothing written", file=sys.stderr)
        return 2
    # written beside and then moved over the old file, which a failed export thus leaves as it was
    partial = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        if args.format == "csv":
            model.run_nbgrader(["export", "--to", str(partial)], cwd=root)
        else:
            with Gradebook(gradebook.gradebook_url(root)) as gb:
                KitCsvExport(to=str(partial), format=args.format, student_map=str(Path(args.students).resolve()),
                             config=model.course_config(root)).export(gb)
        os.replace(partial, out)
    except lms.StudentMapError as err:
        print(f"wordsnums {args.command}: {err}", file=sys.stderr)
        return 2
    finally:
        partial.unlink(missing_ok=True)
    print(f"grades: {out}" + ("" if args.format == "csv" else f" (a {args.format} gradebook import file)"))
    if pending := gradebook.pending_manual(root):
        print(f"  {len(pending)} submission(s) still have answers to grade by hand ({', '.join(pending[:5])}"
              f"{', ...' if len(pending) > 5 else ''}): their scores count only the points given so far")
    return 0


def cmd_extension(args) -> int:
    """Give students more time: a later due date for them alone, which the late penalty counts from."""
    root = _course(args)
    if args.assignment not in model.assignments(root):
        raise ValueError(f"no assignment {args.assignment!r} in {root / 'source'}")
    if not args.students:
        granted = {s: v for (a, s), v in extensions.read(root).items() if a == args.assignment}
        print(f"{args.assignment}: {len(granted)} extension(s) in {root / extensions.FILE}")
        for student, (hours, reason) in sorted(granted.items()):
            print(f"  {student}: {hours:g} hours" + (f" ({reason})" if reason else ""))
        return 0
    hours = None if args.remove else extensions.requested_hours(root, args.assignment, args.hours, args.days,
                                                                args.until)
    rows = extensions.grant(root, args.assignment, list(dict.fromkeys(args.students)), hours, args.reason or "")
    for row in rows:
        due = f"due {row['due']:%Y-%m-%d %H:%M} UTC" if row["due"] else "no due date"
        what = "no extension" if hours is None else f"an extension of {hours:g} hours"
        penalty = ("not graded yet: the extension applies when it is" if row["before"] is None else
                   f"late penalty {row['before']:.2f} -> {row['after']:.2f} points")
        print(f"  {row['student']}: {what}, {due}; {penalty}")
    print(f"recorded in {root / extensions.FILE}")
    return 0


def cmd_report(args) -> int:
    """Item analysis, grade distribution and per-question plots (PNG with alt text), Markdown summary."""
    root = _course(args)
    if problem := gradebook.gradebook_problem(root, work_in=("autograded",)):
        return _gradebook_refused(args.command, problem)
    ungraded = 0
    for assignment in _selected(root, args.assignment):
        try:
            print(f"{assignment}: {report.write_report(root, assignment, Path(args.out).resolve())}")
        except report.NoGrades as err:
            print(f"wordsnums {args.command}: {err}", file=sys.stderr)
            ungraded += 1
    return 1 if ungraded else 0


def cmd_similarity(args) -> int:
    """Pairs of submissions whose answers are unusually alike, with the shared passages: an HTML report and CSVs."""
    root = _course(args)
    reported = 0
    for assignment in _selected(root, args.assignment):
        try:
            written = similarity_report.write_files(root, assignment, Path(args.out).resolve(), top=args.top)
        except similarity_report.NoSubmissions:
            if args.assignment:  # the one asked for: an error (exit 2)
                raise
            print(f"{assignment}: skipped, no submissions in {root / 'submitted'}")
            continue
        reported += 1
        print("\n  ".join([written.summary, *written.lines()]))
    if not reported:
        print(f"wordsnums similarity: no submissions of any assignment in {root / 'submitted'}: collect them first "
              "(nbgrader collect / wordsnums demo)", file=sys.stderr)
        return 2
    return 0


def cmd_demo(args) -> int:
    """Build release/, then run a simulated class through nbgrader's exchange and print where everything is."""
    root = _course(args)
    if args.db_url and (refused := _demo_database_refused(args.db_url)):
        print(f"wordsnums {args.command}: {refused}", file=sys.stderr)
        return 2
    args.force = False  # the demo never overwrites hand edits in release/
    if built := cmd_build(args):
        return built
    workdir = demo.prepare_course(root, Path(args.dir).resolve(), args.db_url)
    print(f"\nDemo course in {workdir}; students: "
          + ", ".join(f"{s} ({k})" for s, k in demo.TERM_CLASS.items()))
    mismatches = 0
    for assignment in _selected(root, args.assignment):
        start = time.perf_counter()
        bar, tick = _bar(len(demo.TERM_CLASS), f"{assignment}: grading")
        table = demo.run_assignment(workdir, assignment, demo.TERM_CLASS, jobs=args.jobs, progress=tick)
        bar.close()
        print(f"\n{assignment}: released, fetched, submitted, collected, graded, feedback, exported "
              f"in {time.perf_counter() - start:.1f} s")
        for row in table.itertuples():
            if row.kind == "broken":
                ok = ("ok (reported, others graded)" if row.status == "failed"
                      else f"EXPECTED a failure, got {row.status}")
                print(f"  {row.student:<5} {row.kind:<9} grading failed: {row.message}  {ok}")
                mismatches += row.status != "failed"
                continue
            good = abs(row.autograded - row.expected) < 1e-9 and (row.late_penalty > 0) == (row.kind == "late")
            mismatches += not good
            print(f"  {row.student:<5} {row.kind:<9} autograded {row.autograded:5g}, late penalty "
                  f"{row.late_penalty:4g}, score {row.score:6.2f} / {row.max_score:g}"
                  f"  {'ok' if good else f'EXPECTED {row.expected:g}'}")
    print(f"\nWhere everything is (in {workdir}):")
    folders = [("exchange", "exchange"), ("students' folders", "students"), ("submissions", "submitted"),
               ("autograded notebooks", "autograded"), ("feedback (HTML)", "feedback")]
    # a server's gradebook is shown by its URL, without the password
    book = gradebook.gradebook_path(workdir) or gradebook.shown_url(gradebook.gradebook_url(workdir))
    for label, where in [(label, workdir / rel) for label, rel in folders] + [
            ("gradebook", book), ("grades CSV", workdir / "grades.csv"), ("reports", workdir / "reports")]:
        print(f"  {label:<22} {where}")
    print("Manual points (prose answers) are pending: grade them in the formgrader, from the demo folder.")
    return 1 if mismatches else 0


def cmd_bundle(args) -> int:
    """Write the student bundle: release notebooks, data, the student library's wheel, a hub image's Dockerfile."""
    root = _course(args)
    out = bundle.write_bundle(root, Path(args.out).resolve())
    wheel = next((out / "wheels").glob("*.whl"))
    print(f"student bundle: {out}\n  library: {wheel.name} (no grading code, no solutions)\n"
          f"  image: docker build -t words-and-numbers-student:{wheel.name.split('-')[1]} {out}")
    return 0


def _demo_database_refused(url: str) -> str | None:
    """Why the demo must not use the database at ``url`` (unreachable, or holding real students), or None."""
    if gradebook.is_sqlite(url):
        return None
    if why := gradebook.unreachable(url):
        return f"the database {gradebook.shown_url(url)} cannot be reached: {why}. Start it, or correct --db-url"
    if others := demo.foreign_students(url):
        return (f"{gradebook.shown_url(url)} holds students who are not the demo's ({', '.join(others[:5])}"
                f"{', ...' if len(others) > 5 else ''}): the demo writes its synthetic class there. Give --db-url "
                "an empty database")
    return None


def cmd_gradebook_copy(args) -> int:
    """Copy the course's gradebook, every row with its id, into another database (a PostgreSQL server, say)."""
    root = _course(args)
    source, target = gradebook.gradebook_url(root), gradebook.absolute_url(args.to, Path.cwd())
    prefix = "wordsnums gradebook copy"
    if not gradebook.has_gradebook(root):
        print(f"{prefix}: there is no {gradebook.gradebook_path(root)} to copy: run `wordsnums build` first",
              file=sys.stderr)
        return 2
    if problem := gradebook.gradebook_problem(root, work_in=()):  # damaged, or its server is down
        return _gradebook_refused("gradebook copy", problem)
    if not gradebook.is_sqlite(target) and (why := gradebook.unreachable(target)):
        print(f"{prefix}: the database {gradebook.shown_url(target)} cannot be reached: {why}. Start it, or "
              "correct --to", file=sys.stderr)
        return 2
    try:
        counts = gradebook_copy.copy_gradebook(source, target)
    except gradebook_copy.CopyRefused as err:
        print(f"{prefix}: {err}", file=sys.stderr)
        return 2
    print(f"copied {gradebook.shown_url(source)}\n    to {gradebook.shown_url(target)}")
    for table, (before, after) in counts.items():
        print(f"  {table:<22} {before:>7} rows" + ("" if before == after else f"  BUT {after} in the copy"))
    if any(before != after for before, after in counts.values()):
        print(f"{prefix}: the copy's row counts differ (marked BUT above): keep using the old gradebook",
              file=sys.stderr)
        return 1
    hidden = gradebook.shown_url(target)
    print("Every table's rows are in the copy. To grade with it, set in nbgrader_config.py:\n"
          f'  c.CourseDirectory.db_url = "{hidden}"'
          + ("\n  (with the password in place of ***)" if hidden != target else ""))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wordsnums", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name, func, assignment=True):
        p = sub.add_parser(name, help=func.__doc__, description=func.__doc__)
        p.add_argument("--course", help="the course folder (default: the kit's checkout)")
        if assignment:
            p.add_argument("assignment", nargs="?", help="one assignment id (default: all)")
        p.set_defaults(func=func)
        return p

    sub.add_parser("texts", help=cmd_texts.__doc__, description=cmd_texts.__doc__).set_defaults(func=cmd_texts)
    command("build", cmd_build).add_argument("--force", action="store_true", help="overwrite hand edits in release/")
    command("check", cmd_check)
    grade = command("grade", cmd_grade)
    grade.add_argument("--jobs", type=_jobs, default=None, help="parallel graders (default: the number of cores)")
    grade.add_argument("--student", dest="students", action="extend", nargs="+", metavar="ID",
                       help="grade only these students (repeatable; give the assignment before it)")
    grade.add_argument("--force", action="store_true", help="regrade submissions already graded and unchanged")
    grade.add_argument("--cold", action="store_true", help="start each kernel as a new Python (slower) instead of "
                       "forking it from a template that has imported the notebooks' libraries")
    grade.add_argument("--scheduler", metavar="ADDRESS", help="grade on the Dask cluster whose scheduler is at ADDRESS "
                       "(tcp://HOST:8786) instead of on this machine (default: c.DaskGrading.scheduler in "
                       "nbgrader_config.py, if set)")
    command("feedback", cmd_feedback).add_argument(
        "--allow-pending", action="store_true", help="also write the feedback of students with answers not graded "
        "yet (shown as such, with the score so far)")
    export = command("export", cmd_export, assignment=False)
    export.add_argument("--to", default="grades.csv", help="CSV file to write (default: grades.csv)")
    export.add_argument("--format", choices=lms.FORMATS, default="csv", help="csv (default): the kit's columns; "
                        "canvas or moodle: that LMS's gradebook import file, which needs --students")
    export.add_argument("--students", metavar="FILE", help="CSV mapping each nbgrader id to an LMS account, columns "
                        f"{','.join(lms.REQUIRED)} (and {','.join(lms.OPTIONAL)}, if you have them)")
    extension = sub.add_parser("extension", help=cmd_extension.__doc__, description=cmd_extension.__doc__ + (
        f" Kept in {extensions.FILE} in the course folder; without --student, lists the assignment's extensions."))
    extension.add_argument("--course", help="the course folder (default: the kit's checkout)")
    extension.add_argument("assignment", help="the assignment id")
    extension.add_argument("--student", dest="students", action="extend", nargs="+", metavar="ID",
                           help="the students to give it to")
    how = extension.add_mutually_exclusive_group()
    how.add_argument("--hours", type=float, help="hours added to the due date")
    how.add_argument("--days", type=float, help="days added to the due date")
    how.add_argument("--until", metavar="'YYYY-MM-DD HH:MM'", help="the student's own due date, in UTC")
    how.add_argument("--remove", action="store_true", help="take the extension back")
    extension.add_argument("--reason", help="why, for the record (kept in the file)")
    extension.set_defaults(func=cmd_extension, command="extension")
    command("report", cmd_report).add_argument("--out", default="reports", help="folder for the report files")
    similar = command("similarity", cmd_similarity)
    similar.add_argument("--out", default="reports",
                         help="folder for the report: an HTML page and three CSVs (default: reports)")
    similar.add_argument("--top", type=_at_least_one("pairs list nothing"), default=50,
                         help="pairs listed in the report (default: 50)")
    run = command("demo", cmd_demo)
    run.add_argument("--dir", default="demo-course", help="scratch course folder (default: demo-course)")
    run.add_argument("--jobs", type=_jobs, default=None, help="parallel graders (default: the number of cores)")
    run.add_argument("--db-url", help="the demo's gradebook database, e.g. postgresql+psycopg://USER:PASSWORD@HOST/DB "
                     "(default: a sqlite file in the demo folder, whatever the course's config names)")
    books = sub.add_parser("gradebook", help="the course's gradebook: `wordsnums gradebook copy --to URL`",
                           description="The course's gradebook.")
    copy = books.add_subparsers(dest="action", required=True).add_parser(
        "copy", help=cmd_gradebook_copy.__doc__, description=cmd_gradebook_copy.__doc__)
    copy.add_argument("--course", help="the course folder (default: the kit's checkout)")
    copy.add_argument("--to", required=True, metavar="URL",
                      help="the target database, empty, e.g. postgresql+psycopg://USER:PASSWORD@HOST/DB")
    copy.set_defaults(func=cmd_gradebook_copy, command="gradebook copy")
    command("bundle", cmd_bundle, assignment=False).add_argument(
        "--out", default="student-bundle", help="folder to write (default: student-bundle)")
    args = parser.parse_args(argv)
    # a ValueError is an unknown student or assignment (nbgrader's MissingEntry is one): no traceback
    try:
        return args.func(args)
    except (model.NbgraderFailed, demo.NotADemoFolder, bundle.NotABundleFolder, ValueError,
            FileNotFoundError) as err:
        print(f"wordsnums {args.command}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
