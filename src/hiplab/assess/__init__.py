"""Assessment: validate input, compare tests with norms, screen for safety."""

from hiplab.assess.run import DISCLAIMER

__all__ = ["DISCLAIMER"]
