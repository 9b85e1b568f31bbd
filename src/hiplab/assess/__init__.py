"""Assessment: validate input, compare tests with norms, screen for safety, explain."""

from hiplab.assess.run import DISCLAIMER, assess

__all__ = ["DISCLAIMER", "assess"]
