from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    """The dossier state table. Pure Python, no models; not installed as a Django app on purpose."""

    name = "motcua.workflow"
    label = "workflow"
