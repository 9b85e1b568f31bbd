"""Allow ``python -m hiplab``."""

from hiplab.cli import main

main()
