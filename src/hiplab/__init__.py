"""hiplab: local-first hip mobility assessment, explanations and exercise library."""

__version__ = "0.1.0"
