"""Writing what was run: files all-or-nothing, CSV, JSON and images, several runs compared."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lrplot.faces import lazy_names

__all__ = [
    "FORMATS",
    "render",
    "to_csv",
    "to_json",
    "write",
    "write_files",
]

__getattr__ = lazy_names(
    __name__,
    {
        "FORMATS": "lrplot.outputs.export",
        "render": "lrplot.outputs.export",
        "to_csv": "lrplot.outputs.export",
        "to_json": "lrplot.outputs.export",
        "write": "lrplot.outputs.export",
        "write_files": "lrplot.outputs.files",
    },
)

if TYPE_CHECKING:
    from lrplot.outputs.export import FORMATS, render, to_csv, to_json, write
    from lrplot.outputs.files import write_files
