"""``python -m lrplot``: the same command line as ``lrplot``."""

from lrplot.cli import main

main()
