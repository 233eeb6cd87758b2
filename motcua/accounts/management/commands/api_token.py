"""Issue, list and revoke API tokens for system clients (decision 0024).

    manage.py api_token issue --user svc-dvc --name "Cổng DVC" --permission dossier.view \
        --permission dossier.accept --agency 000.00.12.H42 --days 180
    manage.py api_token list
    manage.py api_token revoke 7

The token is printed once by ``issue``; only its hash is kept.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.accounts.models import ApiToken, User
from motcua.accounts.tokens import issue_token, revoke_token
from motcua.core.errors import MotcuaError
from motcua.units.models import Agency


class Command(BaseCommand):
    help = "Issue, list or revoke API tokens (issue prints the token once)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue")
        issue.add_argument("--user", required=True, help="username the token acts as")
        issue.add_argument("--name", required=True, help="name of the client system")
        issue.add_argument("--permission", action="append", default=[], help="gate permission (repeat)")
        issue.add_argument("--agency", action="append", default=[], help="agency identifier code (repeat)")
        issue.add_argument("--days", type=int, default=365)
        sub.add_parser("list")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except MotcuaError as error:
            raise CommandError(str(error)) from error

    def _issue(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"Không có người dùng / no such user: {options['user']}")
        agency_ids = []
        for code in options["agency"]:
            agency = Agency.objects.filter(identifier_code=code).first()
            if agency is None:
                raise CommandError(f"Không có cơ quan / no such agency: {code}")
            agency_ids.append(agency.pk)
        if options["days"] < 1:
            raise CommandError("--days phải ≥ 1 / --days must be at least 1")
        token, raw = issue_token(
            user=user,
            name=options["name"],
            permissions=options["permission"],
            agency_ids=agency_ids,
            valid_days=options["days"],
        )
        self.stdout.write(f"id={token.pk} expires={token.expires_at.isoformat()}")
        self.stdout.write(raw)

    def _list(self, options: dict[str, Any]) -> None:
        for token in ApiToken.objects.select_related("user").order_by("pk"):
            state = "revoked" if token.revoked_at else "active"
            self.stdout.write(
                f"{token.pk}\t{token.prefix}\t{token.name}\t{token.user.username}\t{state}\t"
                f"{token.expires_at.isoformat()}\t{','.join(token.permissions)}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        token = revoke_token(token_id=options["token_id"])
        self.stdout.write(f"revoked {token.pk} {token.prefix}")
