"""`python -m permitted` runs the command line."""
from permitted.cli import run

run()
