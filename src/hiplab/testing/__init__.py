"""Generators for tests and benchmarks: synthetic figures, videos and truths.

Not runtime code: no hiplab module imports this package (the import-wall test in
``tests/test_architecture.py`` keeps it so). It ships in the package only so that
``benchmarks/`` and ``tests/`` share one generator.
"""
