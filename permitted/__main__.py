"""`python -m permitted` runs the command line."""
from .cli import run

run()
