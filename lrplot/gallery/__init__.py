"""A folder of configs rendered into a gallery: the build, its manifest, pages and workers."""
