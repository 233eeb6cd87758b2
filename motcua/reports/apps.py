from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "motcua.reports"
    label = "reports"
    verbose_name = "Báo cáo, thống kê"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  connects the event_recorded receiver
