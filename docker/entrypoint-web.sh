#!/bin/sh
# Web service start (docker-compose.yml): apply migrations, then replace this
# shell with gunicorn so it is PID 1 and receives docker's stop signal.
set -eu
python manage.py migrate --noinput
exec gunicorn --config docker/gunicorn.conf.py config.wsgi
