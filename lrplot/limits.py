"""The limits lrplot enforces on configs and schedules, in one place (cheap to import)."""

DEFAULT_MAX_STEPS = 10_000_000
"""The most steps (epochs x steps_per_epoch) one schedule may have unless raised."""

MAX_CONFIG_BYTES = 1024 * 1024
"""Configs larger than this are refused before parsing."""

MAX_VALUES = 100_000
"""Most scalars, lists and mappings one config may hold once aliases are expanded."""

MAX_DEPTH = 50
"""Deepest nesting of lists and mappings in a config."""

MAX_EXPRESSION_LENGTH = 500
"""Longest expression text accepted, in characters."""

MAX_EXPRESSION_DEPTH = 40
"""Deepest nesting of operations in an expression (``-(-(-x))`` is three)."""

MAX_TITLE_LENGTH = 300
"""Longest ``title:``, in characters (a plot's title: about four wrapped lines)."""

MAX_DESCRIPTION_LENGTH = 3000
"""Longest ``description:``, in characters (a gallery shows it under the plot)."""

MAX_PIXELS = 25_000_000
"""Largest image, in pixels (size x dpi, squared): 5000 x 5000, or 8000 x 3125."""
