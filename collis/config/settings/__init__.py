"""Settings for Collis: base.py reads the environment; local, test and production refine it."""
