"""A grading worker: autogrades several students' submissions in one process, one after another.

Run as ``python -m utils.grade_worker COURSE ASSIGNMENT STUDENT...`` by :func:`utils.grading.grade`.
Importing nbgrader and the course config once per worker, not once per submission, is what makes
parallel grading pay; each submission still runs in a fresh kernel of its own. One JSON line per
student goes to stdout as it finishes: student, status (graded or failed), seconds, message.
"""

import json
import logging
import os
import sys
import time

from nbgrader.apps import AutogradeApp


class _Errors(logging.Handler):
    """Collects the error messages nbgrader logs while grading one submission."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def grade_one(assignment: str, student: str) -> dict:
    start = time.perf_counter()
    errors = _Errors()
    app = AutogradeApp()
    app.log.addHandler(errors)
    status = "graded"
    try:
        app.initialize([assignment, "--student", student, "--force"])
        app.start()
    except SystemExit as exit_:  # nbgrader's fail() exits
        status = "failed" if exit_.code else status
    except Exception as err:  # one broken submission never stops the others
        status, errors.messages = "failed", errors.messages + [f"{type(err).__name__}: {err}"]
    finally:
        app.log.removeHandler(errors)
        AutogradeApp.clear_instance()
    if errors.messages:
        status = "failed"
    return {"student": student, "status": status, "seconds": time.perf_counter() - start,
            "message": errors.messages[0] if errors.messages else ""}


def main(argv: list[str]) -> int:
    course, assignment, *students = argv
    os.chdir(course)  # nbgrader reads nbgrader_config.py and the course folders from here
    for student in students:
        print(json.dumps(grade_one(assignment, student)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
