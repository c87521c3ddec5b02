"""`stadsdel token create --user NAME [--name LABEL]` prints a new API token for the user (shown
once; only its hash is stored). `stadsdel token revoke PREFIX` revokes tokens by prefix."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from stadsdel.api.models import ApiToken
from stadsdel.core.cli import bad_input


class Command(BaseCommand):
    help = "Create or revoke API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("--user", required=True)
        create.add_argument("--name", default="")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix")

    def handle(self, *args, **options):
        if options["action"] == "create":
            try:
                user = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist:
                raise bad_input(f"no user {options['user']!r}") from None
            if not user.is_active:
                raise bad_input(f"the user {user.username!r} is not active")
            _record, token = ApiToken.issue(user=user, name=options["name"])
            self.stdout.write(token)
        else:
            # One save per token (not update()), so each revocation is in the audit log.
            tokens = list(ApiToken.objects.filter(prefix=options["prefix"], revoked=False))
            for token in tokens:
                token.revoked = True
                token.save(update_fields=["revoked"])
            count = len(tokens)
            if not count:
                raise bad_input(f"no active token starts with {options['prefix']!r}")
            self.stderr.write(f"{count} token(s) revoked")
