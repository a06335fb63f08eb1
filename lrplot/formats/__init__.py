"""Native training-config readers: reserved, and empty until the issue that adds them.

Each reader will turn a framework's own training config (such as transformers'
``TrainingArguments`` or a Lightning config) into the plain data :mod:`lrplot.config`
checks, reading the file as :mod:`lrplot.config.file` does.
"""
