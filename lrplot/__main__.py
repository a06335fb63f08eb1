"""The ``lrplot`` console script and ``python -m lrplot``: the command line, from its import on."""

from __future__ import annotations


def main() -> None:
    """Import the command line and run it, then end at once with its exit status (see
    :func:`lrplot.signals.end_now`). A Ctrl-C while click and lrplot are being imported
    ends lrplot as one during the run does: no traceback, killed by SIGINT."""
    try:
        from lrplot.cli import main as run
    except KeyboardInterrupt:
        from lrplot.signals import interrupted

        interrupted()
    try:
        run()
    except SystemExit as e:
        if e.code is not None and not isinstance(e.code, int):
            raise
        status = e.code or 0
    else:
        status = 0
    from lrplot.signals import end_now

    end_now(status)


if __name__ == "__main__":  # not when a gallery worker process imports this module
    main()
