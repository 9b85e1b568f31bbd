"""Demo logins for the web app: a coach who looks after the demo person, and that person's login.

``hiplab demo`` stores the bundled sample person with an assessment and a programme;
:func:`seed_web_demo` then makes the web app usable at once (``make demo`` starts it):
a coach login that owns the person and a client login of the person, both with the
published demo password :data:`DEMO_PASSWORD`. Run again, it changes nothing that is
already there. The password is public: a demo store is not for real people's data.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass

from hiplab.errors import InputError
from hiplab.records.refs import PersonRef
from hiplab.settings import Settings

DEMO_COACH_EMAIL = "coach@demo.hiplab"
DEMO_CLIENT_EMAIL = "client@demo.hiplab"
DEMO_PASSWORD = "hiplab-demo-password"
"""Published with the demo; change it (or use your own store) for anything real."""


@dataclass(frozen=True)
class DemoLogins:
    """What the demo seeded (``created`` False where the login already existed)."""

    coach_email: str
    client_email: str | None
    password: str
    person: str
    created: tuple[str, ...]


def seed_web_demo(*, settings: Settings, person_name: str) -> DemoLogins:
    """Create the demo coach and client logins if missing; make the coach own the person.

    ``client_email`` is None when the person already has a login of another address.
    """
    from hiplab.services.clinic import create_login
    from hiplab.services.storage import open_store_for

    created: list[str] = []
    with open_store_for(settings) as store:
        coach = store.accounts.by_email(email=DEMO_COACH_EMAIL)
        if coach is None:
            coach = create_login(
                store=store,
                email=DEMO_COACH_EMAIL,
                display_name="Demo coach",
                role="coach",
                password=DEMO_PASSWORD,
            )
            created.append(DEMO_COACH_EMAIL)
        person = store.people.get(person=PersonRef.named(person_name))
        store.people.assign_coach(person=PersonRef.by_id(person.id), coach_id=coach.id)
        if store.accounts.by_email(email=DEMO_CLIENT_EMAIL) is None:
            # the person may already have a login of another address: then keep that one
            with suppress(InputError):
                create_login(
                    store=store,
                    email=DEMO_CLIENT_EMAIL,
                    display_name=person_name,
                    role="client",
                    password=DEMO_PASSWORD,
                    person_name=person_name,
                )
                created.append(DEMO_CLIENT_EMAIL)
        client = store.accounts.by_email(email=DEMO_CLIENT_EMAIL)
        linked = client is not None and client.person_id == person.id
    return DemoLogins(
        coach_email=DEMO_COACH_EMAIL,
        client_email=DEMO_CLIENT_EMAIL if linked else None,
        password=DEMO_PASSWORD,
        person=person_name,
        created=tuple(created),
    )
