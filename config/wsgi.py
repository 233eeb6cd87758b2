import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Imports, URL tables, catalogs and templates once here: with gunicorn's preload_app this runs in the
# master and every worker forked from it starts warm (decision 0036).
from motcua.core.warmup import warm_up  # noqa: E402 - needs the settings set up just above

warm_up()
