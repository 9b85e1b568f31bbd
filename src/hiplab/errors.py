"""Domain exceptions. Messages name the field, the value and what is allowed."""

from __future__ import annotations


class HiplabError(Exception):
    """Base of every error hiplab reports to a user."""


class InputError(HiplabError):
    """Bad user input (CLI exit code 2)."""


class LibraryError(HiplabError):
    """The bundled or supplied library data is inconsistent."""


class StoreError(HiplabError):
    """The store could not complete an operation."""


class NotFoundError(InputError):
    """A named person, assessment or record does not exist."""
