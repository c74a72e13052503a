"""nbgrader configuration for the course (paths are relative to the course folder)."""

c = get_config()  # noqa: F821 (nbgrader provides get_config)

c.CourseDirectory.course_id = "words-and-numbers"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"

# What students see in place of a solution: a plain instruction, not nbgrader's jargon.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE: replace this line and the next with your answer\n"
    "raise NotImplementedError(\"Not answered yet: replace these two lines with your code.\")"
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# A slow cell should not hold up a whole class; a notebook gets this long per cell.
c.ExecutePreprocessor.timeout = 120
c.Execute.timeout = 120
