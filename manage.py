#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Commands run by a developer default to the dev profile; the web server (config/wsgi.py) keeps
    # the safe production default. Production hosts set MOTCUA_ENV=production for both.
    os.environ.setdefault("MOTCUA_ENV", "dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
