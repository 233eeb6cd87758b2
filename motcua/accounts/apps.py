from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "motcua.accounts"
    label = "accounts"

    def ready(self) -> None:
        from .gate import register_rules

        register_rules()
