import getpass
import os
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from contributions.signals import sync_editors_group


class Command(BaseCommand):
    help = (
        "Create an editor: a staff account in the Editors group, not a superuser. Prompts for the "
        "password, or reads it from EDITOR_PASSWORD when run from a script."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, email, **options):
        User = get_user_model()
        # Case-insensitively: "Amira" and "amira" as two accounts would only confuse.
        existing = User.objects.filter(username__iexact=username).first()
        if existing:
            raise CommandError(f"A user called “{existing.username}” already exists; choose another username.")

        user = User(username=username, email=email, is_staff=True)
        password = self.read_password()
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from None

        user.set_password(password)
        with transaction.atomic():
            user.save()
            user.groups.add(sync_editors_group())
        self.stdout.write(self.style.SUCCESS(f"Created editor “{username}”. They can sign in at /admin/."))

    def read_password(self):
        password = os.environ.get("EDITOR_PASSWORD")
        if password is not None:
            return password
        if not sys.stdin.isatty():
            raise CommandError("No terminal to ask for a password: set EDITOR_PASSWORD.")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password
