import json as jsonlib
import os

from django.core.management.base import BaseCommand, CommandError

from core.roles import ROLE_DESCRIPTIONS, ROLES
from core.services import role_user_ensure


class Command(BaseCommand):
    help = "Create or update a user with one role and print its API token. Roles: " + "; ".join(
        f"{role}: {description}" for role, description in ROLE_DESCRIPTIONS.items()
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=ROLES)
        parser.add_argument(
            "--password-env",
            metavar="VAR",
            help="take the password from this environment variable (default: generate one)",
        )
        parser.add_argument("--rotate-token", action="store_true", help="replace the user's token with a new one")
        parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")

    def handle(self, *args, username, role, password_env, rotate_token, json: bool, **options):
        password = None
        if password_env:
            password = os.environ.get(password_env)
            if not password:
                raise CommandError(f"environment variable {password_env} is empty or unset")
        result = role_user_ensure(username=username, role=role, password=password, rotate_token=rotate_token)
        if json:
            self.stdout.write(_json_dump(result))
            return
        self.stdout.write(f"{'created' if result.created else 'updated'} {result.username} (role {result.role})")
        if result.password:
            self.stdout.write(f"password: {result.password}")
        self.stdout.write(f"token: {result.token}")


def _json_dump(result) -> str:
    return jsonlib.dumps(
        {
            "username": result.username,
            "role": result.role,
            "token": result.token,
            "password": result.password,
            "created": result.created,
        }
    )
