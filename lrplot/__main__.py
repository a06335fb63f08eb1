"""The ``lrplot`` console script and ``python -m lrplot``: the command line, from its import on."""

from __future__ import annotations


def main() -> None:
    """Import the command line and run it. A Ctrl-C while click and lrplot are being
    imported ends lrplot as one during the run does: no traceback, killed by SIGINT."""
    try:
        from lrplot.cli import main as run
    except KeyboardInterrupt:
        from lrplot.signals import interrupted

        interrupted()
    run()


if __name__ == "__main__":  # not when a gallery worker process imports this module
    main()
