"""Reading a config safely into a checked Spec: the file, keys, overrides, expressions, schema."""
