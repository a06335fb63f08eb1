"""Running a checked Spec: a dummy-parameter optimizer, its schedulers, and torch's internals."""
