"""nbgrader's warnings while grading a submission, said as notes an instructor can act on.

nbgrader logs what it repaired in a submission (an edited test, a deleted cell, a copied cell) among
much routine chatter; :func:`note_for` keeps what matters and says it plainly.
"""

import re

KIT_NOTE = "Note for the instructor: "  # what the kit's own steps log for the notes, word for word

NOTES = [
    (r"Attribute 'checksum' for cell (\S+) has changed", "locked cell {0} was edited; graded with the original"),
    (r"Attribute '(\w+)' for cell (\S+) has changed! \(should be: (.*), got: (.*)\)",
     "cell {1}: its {0} was changed from {2} to {3}; graded with {2}"),
    (r"Missing grade cell (\S+) encountered", "graded cell {0} was deleted; put back and graded"),
    (r"Locked cell (\S+) was deleted", "locked cell {0} was deleted; put back"),
    (r"Cell with id '(\S+)' exists multiple times", "cell {0} appears more than once (a copied cell); "
                                                    "only the last copy was graded"),
    (r"Cell '(\S+)' does not exist in the database", "a cell has an unknown grade_id '{0}' (its metadata "
                                                     "was edited); it was not graded"),
    (r"Cell (\S+) (timed out|killed the kernel)", "cell {0} {1}; the kernel was restarted and the rest graded"),
    (r"Code to review by hand: (.*)", "code to review by hand: {0}"),
    (r"(\S+) is ([\d.]+) hours late: penalty ([\d.]+) of ([\d.]+)", "{1} hours late: a penalty of {2} of {3} points"),
]


def is_late_note(note: str) -> bool:
    """Whether ``note`` gives a late penalty (which depends on the manual scores too, so the gradebook's writer
    computes it where they are).

    >>> is_late_note("30.0 hours late: a penalty of 3.40 of 17.00 points")
    True
    """
    return re.fullmatch(r"[\d.]+ hours late: a penalty of [\d.]+ of [\d.]+ points", note) is not None


def note_for(message: str) -> str | None:
    """The note for one of nbgrader's log messages, or None for routine ones.

    >>> note_for("Missing grade cell q1_test encountered, adding to notebook")
    'graded cell q1_test was deleted; put back and graded'
    >>> note_for("Removing existing assignment: autograded/ada/a1") is None
    True
    """
    for pattern, note in NOTES:
        if match := re.search(pattern, message):
            return note.format(*match.groups())
    return None
