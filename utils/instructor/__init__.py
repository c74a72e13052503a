"""The instructor's commands: ``wordsnums`` (:mod:`.cli`) and the demo term (:mod:`.demo`).

The top of the import graph: it uses the grading engine, the course room and the library; nothing imports it.
"""
