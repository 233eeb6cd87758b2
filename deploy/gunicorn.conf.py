"""gunicorn configuration for motcua (``gunicorn -c deploy/gunicorn.conf.py config.wsgi:application``).

Every value can be changed from the environment of the service (``/etc/motcua/motcua.env``) without
editing this file; docs/deploy.md explains the choices.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


# Behind nginx on the same host: listen on loopback only (or a unix socket: unix:/run/motcua/web.sock).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers with a few threads: Django requests are short database round trips; PDFs (Form 01 …)
# render in a thread of the worker that asked. 2 × cores + 1 processes is gunicorn's rule of thumb.
workers = _int("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1)
threads = _int("GUNICORN_THREADS", 2)
worker_class = "gthread" if threads > 1 else "sync"
# A request taking longer than this is killed (nginx gives up at 65 s: keep this below it).
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then so that a slow leak never grows without bound.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 500)
# Heartbeat files in memory, not on a possibly slow disk.
SHM = "/dev/shm"  # noqa: S108 - gunicorn's documented place for the heartbeat files
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", SHM if os.path.isdir(SHM) else None)
# Load the application once in the master: faster worker (re)starts, a broken deploy fails at once.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") not in ("0", "false", "no")
# Only nginx on this host may set X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Access log: off by default, nginx keeps one of every request (deploy/nginx/motcua.conf) with the
# client's real address, where gunicorn's line would name nginx (127.0.0.1); writing it cost about 5 %
# of a worker's CPU per tracking look-up (decision 0042). "-" is stdout (journald); a file path is
# rotated by deploy/logrotate/motcua (USR1 reopens).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "") or None
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "motcua-web"
# gunicorn ≥ 24 opens a control socket (gunicornc) in $HOME by default, shared by every gunicorn of
# the user and not writable under ProtectSystem=strict: off unless a path is given
# (e.g. GUNICORN_CONTROL_SOCKET=/run/motcua/gunicorn.ctl; the unit's RuntimeDirectory).
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "") or "/run/motcua/gunicorn.ctl"
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
