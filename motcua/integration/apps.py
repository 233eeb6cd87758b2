from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "motcua.integration"
    label = "integration"
    verbose_name = "Tích hợp (hàng đợi gửi đi, webhook, Cổng DVCQG)"

    def ready(self) -> None:
        from motcua.dossiers.signals import event_recorded

        from .outbox import record_event

        event_recorded.connect(record_event, dispatch_uid="integration.outbox.record_event")
