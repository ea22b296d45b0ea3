"""`python -m passport` runs the command line."""

from passport.cli import main

main()
