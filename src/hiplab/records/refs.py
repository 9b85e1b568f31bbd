"""References to stored records that every floor may hold: :class:`PersonRef`.

A plain value (no database import), so the command line can name a person without
loading the store; the store resolves it (:func:`hiplab.store.people.find`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PersonRef:
    """Who a store method is about: a person's id, or a name exactly one person has.

    Build one with :meth:`by_id` or :meth:`named` (or :meth:`of` when a caller holds an
    optional id and an optional name, exactly one of them set).

    Examples
    --------
    >>> PersonRef.by_id(3)
    PersonRef(id=3, name=None)
    >>> PersonRef.named(" Ann ").name
    'Ann'

    """

    id: int | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        if (self.id is None) == (self.name is None):
            raise TypeError("a PersonRef has exactly one of id and name")

    @classmethod
    def by_id(cls, person_id: int) -> PersonRef:
        """Name the person with this id."""
        return cls(id=person_id)

    @classmethod
    def named(cls, name: str) -> PersonRef:
        """Name the one person with this name (surrounding spaces ignored)."""
        return cls(name=name.strip())

    @classmethod
    def of(cls, *, id: int | None = None, name: str | None = None) -> PersonRef:
        """Name a person by whichever of ``id`` and ``name`` is given (exactly one)."""
        return cls(id=id) if id is not None else cls(name=None if name is None else name.strip())
