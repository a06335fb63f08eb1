"""Tests of lrplot.formats: the readers of other tools' files."""
