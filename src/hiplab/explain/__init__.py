"""Findings → evidence-graded kinetic-chain explanations, from the library's chain graph."""

from hiplab.explain.chains import active_chains

__all__ = ["active_chains"]
