"""The hiplab library: muscles, motions, exercises, tests, norms and the chain graph as data."""

from hiplab.library.loader import Library, default_library, load_library

__all__ = ["Library", "default_library", "load_library"]
