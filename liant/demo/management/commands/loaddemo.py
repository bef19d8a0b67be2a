from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from liant.demo.loader import DEMO_PASSWORD, PERSONAS, load


class Command(BaseCommand):
    help = "Load (or refresh) the Maison Lumière demo workspace and print the logins."

    def handle(self, *args: Any, **options: Any) -> None:
        context = load()
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo workspace ready: Maison Lumière"))
        self.stdout.write(f"  Open {settings.SITE_URL}/ and sign in as one of:")
        for persona in PERSONAS:
            roles = ", ".join(f"{role} in {slug}" for slug, role in persona.roles.items())
            self.stdout.write(f"    {persona.email:36} ({persona.who}: {roles})")
        self.stdout.write(f"  Password for all of them: {DEMO_PASSWORD}")
        for note in context.notes:
            self.stdout.write(f"  {note}")
        self.stdout.write("")
