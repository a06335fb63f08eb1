"""Drawing a schedule: the figure, its labels, the painter process, the terminal preview."""
