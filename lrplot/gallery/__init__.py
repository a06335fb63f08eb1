"""A folder of configs rendered into a gallery: the build, its manifest, pages and workers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lrplot.faces import lazy_names

__all__ = [
    "Shard",
    "build_gallery",
]

__getattr__ = lazy_names(
    __name__,
    {
        "Shard": "lrplot.gallery.build",
        "build_gallery": "lrplot.gallery.build",
    },
)

if TYPE_CHECKING:
    from lrplot.gallery.build import Shard, build_gallery
