"""The grading engine: nbgrader's autograder hardened for hostile submissions, and grading a class.

Plugins nbgrader loads from nbgrader_config.py (:mod:`.plugins`, :mod:`.execute`), the sandbox every
grading kernel runs in (:mod:`.sandbox`, with warm kernels forked from a template: :mod:`.warm`,
:mod:`.kernel_template`), what a submission holds (:mod:`.submissions`,
:mod:`.suspicious`), grading a class in parallel (:mod:`.parallel`, :mod:`.worker`,
:mod:`.notes`), reading the gradebook (:mod:`.gradebook`) and the grade report (:mod:`.report`).
Imports the course room and the library, never the command line. A student image can leave this room out.
"""
