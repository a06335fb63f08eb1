"""Writing what was run: files all-or-nothing, CSV, JSON and images, several runs compared."""
