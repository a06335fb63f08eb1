"""Judging a config and its run: likely mistakes (``Warning:``) and notices (``Notice:``)."""
