"""The command-line verbs, one module each, each with its own argument parser."""
