#!/bin/sh
# Web service start (docker-compose.yml): apply migrations, load the reference
# data (areas, then documents, plan, targets and committees; both idempotent,
# they keep what staff edited), then replace this shell with gunicorn so it is
# PID 1 and receives docker's stop signal.
set -eu
python manage.py migrate --noinput
python manage.py load_areas
python manage.py load_reference_data
exec gunicorn --config docker/gunicorn.conf.py config.wsgi
