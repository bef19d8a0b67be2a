"""The demo workspace that `make demo` loads: Maison Lumière, a French coffee roaster.

Each module adds its own realistic data with `@step`; steps run in order and must be
idempotent (running the loader twice gives the same data, not twice the data).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from liant.core.models import Membership, Organisation, User, Workspace
from liant.core.permissions import Role

DEMO_PASSWORD = "lumiere-demo-2026"


@dataclass
class Persona:
    email: str
    name: str
    language: str
    roles: dict[str, str]  # workspace slug -> role
    who: str


PERSONAS = [
    Persona(
        "camille@maison-lumiere.example",
        "Camille Laurent",
        "fr",
        {"maison-lumiere": Role.OWNER, "lumiere-pro": Role.OWNER},
        "community manager",
    ),
    Persona(
        "malik@maison-lumiere.example",
        "Malik Benali",
        "fr",
        {"maison-lumiere": Role.MODERATOR},
        "moderator",
    ),
    Persona(
        "ines@agence-brume.example",
        "Inès Moreau",
        "fr",
        {"maison-lumiere": Role.COMMUNITY_MANAGER, "lumiere-pro": Role.ADMIN},
        "agency account manager",
    ),
    Persona(
        "paul@maison-lumiere.example",
        "Paul Girard",
        "en",
        {"maison-lumiere": Role.ANALYST, "lumiere-pro": Role.ANALYST},
        "director",
    ),
    Persona(
        "claire@client.example",
        "Claire Dubois",
        "fr",
        {"lumiere-pro": Role.CLIENT_APPROVER},
        "client approver",
    ),
]

WORKSPACES = [
    ("maison-lumiere", "Maison Lumière", "fr"),
    ("lumiere-pro", "Lumière Pro (cafés & bureaux)", "fr"),
]


@dataclass
class DemoContext:
    organisation: Organisation
    workspaces: dict[str, Workspace]
    users: dict[str, User]
    notes: list[str] = field(default_factory=list)


Step = Callable[[DemoContext], None]
STEPS: list[tuple[int, str, Step]] = []


def step(order: int) -> Callable[[Step], Step]:
    """Register a demo step; lower orders run first (core is 0, modules use 100+)."""

    def register(fn: Step) -> Step:
        STEPS.append((order, f"{fn.__module__}.{fn.__name__}", fn))
        return fn

    return register


@transaction.atomic
def load() -> DemoContext:
    org, _ = Organisation.objects.get_or_create(
        slug="maison-lumiere", defaults={"name": "Maison Lumière"}
    )
    workspaces = {}
    for slug, name, language in WORKSPACES:
        workspaces[slug], _ = Workspace.objects.get_or_create(
            slug=slug, defaults={"name": name, "organisation": org, "language": language}
        )
    users = {}
    for persona in PERSONAS:
        user = User.objects.filter(email=persona.email).first()
        if user is None:
            user = User.objects.create_user(
                persona.email, DEMO_PASSWORD, name=persona.name, language=persona.language
            )
        users[persona.email.split("@")[0]] = user
        for slug, role in persona.roles.items():
            Membership.objects.update_or_create(
                workspace=workspaces[slug], user=user, defaults={"role": role}
            )
    # Everyone opens the brand's main workspace first.
    main = workspaces["maison-lumiere"]
    User.objects.filter(
        pk__in=[u.pk for u in users.values()], last_workspace=None, memberships__workspace=main
    ).update(last_workspace=main)
    context = DemoContext(organisation=org, workspaces=workspaces, users=users)
    import_module_steps()
    for _order, _name, fn in sorted(STEPS, key=lambda s: (s[0], s[1])):
        fn(context)
    return context


def import_module_steps() -> None:
    """Each installed Liant app may ship `demo.py` with its steps."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("liant.") and find_spec(f"{config.name}.demo"):
            import_module(f"{config.name}.demo")
