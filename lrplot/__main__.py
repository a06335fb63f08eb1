"""``python -m lrplot``: the same command line as ``lrplot``."""

from lrplot.cli import main

if __name__ == "__main__":  # not when a gallery worker process imports this module
    main()
