from django.apps import AppConfig


class PaperworkConfig(AppConfig):
    name = "motcua.paperwork"
    label = "paperwork"
    verbose_name = "Paperwork (forms 01–07)"
