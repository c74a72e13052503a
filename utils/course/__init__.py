"""The course room: the course as nbgrader sees it, and the instructor's tools to build and check it.

:mod:`.model` (assignments, notebooks, graded cells, nbgrader's commands), :mod:`.lint` (the checks
before a release), :mod:`.release_manifest` (hand edits in release/), :mod:`.synthetic` (a class of
synthetic students) and :mod:`.scrape` (the cleaned texts from the raw scrape). Imports only the
student library above it, never the grading engine or the command line.
"""
