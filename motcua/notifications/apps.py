from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "motcua.notifications"
    label = "notifications"
    verbose_name = "Thông báo (e-mail, SMS)"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
