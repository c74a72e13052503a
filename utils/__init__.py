"""Words and Numbers: the course kit's Python package.

Students use :mod:`utils.texts` (the course texts), :mod:`utils.nlp` (offline words,
sentences, stopwords and sentiment), :mod:`utils.reading` (concordance, frequencies,
dispersion) and :mod:`utils.checks` (answer checks). Instructors use the
``wordsnums`` command (:mod:`utils.cli`).
"""

__version__ = "0.1.0"
