"""The use-case floor: what the CLI and the web app ask hiplab to do.

One module per use-case area (assessments, plans, programmes, clinic and accounts,
videos, demo, export). Functions take typed values, call the domain floors and the
store, and return typed values; edges (``cli``, ``web``) render the results. Nothing
is imported here, so that importing one use case stays cheap.
"""
