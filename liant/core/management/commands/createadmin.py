from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from liant.core.models import Membership, Organisation, User, Workspace
from liant.core.permissions import Role


class Command(BaseCommand):
    help = "Create an operator account that owns a first organisation and workspace."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="")
        parser.add_argument("--password", help="omit to be asked (or set LIANT_ADMIN_PASSWORD)")
        parser.add_argument("--organisation", default="")
        parser.add_argument("--workspace", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        import os

        email = options["email"].lower()
        if User.objects.filter(email=email).exists():
            raise CommandError(f"An account with {email} already exists.")
        password = options["password"] or os.environ.get("LIANT_ADMIN_PASSWORD")
        if not password:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        with transaction.atomic():
            user = User.objects.create_superuser(email, password, name=options["name"])
            if options["organisation"]:
                org, _ = Organisation.objects.get_or_create(
                    slug=slugify(options["organisation"]),
                    defaults={"name": options["organisation"]},
                )
                ws_name = options["workspace"] or options["organisation"]
                workspace, _ = Workspace.objects.get_or_create(
                    slug=slugify(ws_name), defaults={"name": ws_name, "organisation": org}
                )
                Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
        self.stdout.write(self.style.SUCCESS(f"Created {email}."))
