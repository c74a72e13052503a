"""Words and Numbers: the course kit's Python package, in rooms by audience.

The top level is the library students import in their notebooks (``from utils import checks, texts``):
:mod:`.texts`, :mod:`.nlp`, :mod:`.reading`, :mod:`.keyness`, :mod:`.stance`, :mod:`.plots`,
:mod:`.datasets`, :mod:`.checks`, :mod:`.hints` and their helpers :mod:`.files` and :mod:`.paths`.
Below it, each room imports only the rooms above it in this list:

* :mod:`utils.course`: the course model, lint, release manifest, synthetic class, text cleaning;
* :mod:`utils.grading`: the grading engine (nbgrader plugins, parallel grading, the grade report);
* :mod:`utils.instructor`: the ``wordsnums`` command and the demo term.
"""

__version__ = "0.1.0"
