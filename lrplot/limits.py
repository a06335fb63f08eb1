"""The limits lrplot enforces on configs and schedules, in one place (cheap to import)."""

DEFAULT_MAX_STEPS = 10_000_000
"""The most steps (epochs x steps_per_epoch) one schedule may have unless raised."""

WORK_PER_STEP = 4
"""Per step allowed by ``--max-steps``: the most learning rates recorded (steps x param
groups) and scheduler calls (steps x schedulers, nested ones counted) are each this many
times ``--max-steps``."""

OPERATIONS_PER_STEP = 16
"""Per step allowed by ``--max-steps``: the most operations of a run (param groups x
schedulers, an expression counted by its size, with ``fractional_epoch`` a list argument
by its length, a window a scheduler shifts by what it holds; see :mod:`lrplot.simulation.budget`)
are this many times ``--max-steps``: the one operation budget."""

SHIFTED_PER_OPERATION = 512
"""Values a window of past values shifts (a ``list.pop(0)``, one ``memmove``) counted as
one operation: shifting a value costs about 0.3 ns, one of a step's operations about
0.2 us (a 10,000,000-step run of 16 operations a step takes about 30 s)."""

MAX_COUNT = 10**15
"""Largest whole number a run key holds (``epochs``, ``steps_per_epoch`` and the data it
comes from, ``frequency``, ``every``, ``resume_at``): far past any run, and below 2**53,
so exact as a float and within torch's int64."""

MAX_PLOTTED = 1e300
"""Largest magnitude a plot shows; past it, axis limits and ticks overflow floats."""

MAX_PLOTTED_GROUPS = 100
"""The most param groups a plot draws a line for (CSV and JSON hold any number)."""

MAX_MARKS = 200
"""The most regime changes a plot marks; closer ones than the plot can show are merged."""

MAX_CONFIG_BYTES = 1024 * 1024
"""Configs larger than this are refused before parsing."""

MAX_VALUES = 100_000
"""Most scalars, lists and mappings one config may hold once aliases are expanded."""

MAX_DEPTH = 50
"""Deepest nesting of lists and mappings in a config."""

MAX_KEY_LENGTH = 100
"""Longest key of a config's mappings, in characters (keys are names)."""

MAX_KEY_PATH_LENGTH = 300
"""Longest ``--set`` key path, in characters."""

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

MAX_CODE_BYTES = 4 * 1024 * 1024
"""Largest Python file a gallery reads to fingerprint a config's own scheduler class."""

MAX_LOG_BYTES = 64 * 1024 * 1024
"""Largest logged run (a metrics.csv, a trainer_state.json) read."""

MAX_MODEL_CONFIG_BYTES = 1024 * 1024
"""Largest ``config.json`` read beside an HF trainer_state.json (for the transformers
version that wrote it)."""

MAX_LISTED = 5
"""The most items (columns, runs) one notice lists by name; the rest are counted."""

MAX_MANIFEST_BYTES = 64 * 1024 * 1024
"""Largest gallery manifest read; a larger file is not one lrplot wrote."""

# --- logged runs and metric files (read as untrusted data) ---

MAX_LOGGED_STEP = 2**53
"""Logged steps (a log's ``step`` column or key) must be below this: a plot places them
as float64, which holds every whole number only below 2**53, and no plan within
``--max-steps`` comes near it."""

MAX_NUMBER_LENGTH = 100
"""Longest number a log's cell or JSON value is read as, in characters (a float needs
at most about 25; a longer one is refused unparsed)."""

MAX_LOG_LINE = 1024 * 1024
"""Longest physical line of a CSV log, in characters with its line ending (a real row
is a few hundred): csv is fed one line at a time, so a row's fields and a header's
columns are bounded by it, not by the file."""

MAX_LOG_JSON_VALUES = 8_000_000
"""Most containers and values a JSON log may hold, counted before parsing as its
``[``, ``{`` and ``,`` bytes (an upper bound): Python builds each (a peak of about 450
MB at the limit, for a list of floats). A trainer_state.json entry costs one count per 10
bytes or more (``{"learning_rate":0.1,"step":1},``; HF's own, indented and with loss,
grad_norm and epoch, one per 25), so a 64 MiB log of them stays under it."""
