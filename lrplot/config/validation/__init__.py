"""Checking a config's plain data into a :class:`~lrplot.config.spec.Spec`, one kind of
key per module: arguments (what every check shares), optimizer, schedulers; the
validator joins them."""
