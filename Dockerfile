# syntax=docker/dockerfile:1
#
# Production image of the Ban Chỉ đạo 138 An Giang campaign registry.
# One image runs every application service of docker-compose.yml:
#   web     gunicorn config.wsgi (the default CMD below)
#   worker  celery -A config worker
#   beat    celery -A config beat
#
# Stages:
#   base     Debian bookworm + Python 3.11, WeasyPrint's system libraries and an
#            unprivileged user; shared by the two stages below.
#   build    + gettext; installs the locked dependencies into /opt/venv, compiles
#            the translations and collects the static files.
#   runtime  base + the virtualenv and the prepared project; no gettext, no pip cache.
#
# The project lives in /srv/bcd138, so its default var/ paths are the ones
# .env.example names (/srv/bcd138/var/staticfiles, /srv/bcd138/var/private).

FROM python:3.11-slim-bookworm AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=config.settings \
    STATIC_ROOT=/srv/bcd138/var/staticfiles \
    PRIVATE_MEDIA_ROOT=/srv/bcd138/var/private

# WeasyPrint 70: Pango (+ its FreeType backend) and HarfBuzz, with HarfBuzz-Subset
# so font subsetting does not fall back to the ~6x slower fontTools path;
# fontconfig and shared-mime-info. fonts-dejavu-core is a fallback only: report
# PDFs use the Liberation Serif files shipped in static/fonts via @font-face.
# postgresql-client (15 on bookworm, the server's major version in compose):
# pg_dump and pg_restore for `manage.py backup` / `manage.py restore`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        postgresql-client \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fontconfig \
        fonts-dejavu-core \
        shared-mime-info \
 && rm -rf /var/lib/apt/lists/* \
 && fc-cache -f

# Unprivileged user the services run as. The code stays owned by root (read-only
# for the app); only var/private, the volume for generated reports and uploads,
# belongs to this user.
RUN groupadd --system --gid 10001 bcd138 \
 && useradd --system --uid 10001 --gid bcd138 --create-home --home-dir /home/bcd138 \
        --shell /usr/sbin/nologin bcd138

WORKDIR /srv/bcd138


FROM base AS build

# msgfmt, for compilemessages; only in this stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/*

# Dependencies first, so a code change does not re-run pip. Every wheel is
# pinned by hash; --no-deps because the lock file lists the whole tree.
COPY requirements/base.lock /tmp/base.lock
RUN python -m venv /opt/venv \
 && pip install --require-hashes --no-deps -r /tmp/base.lock

COPY . /srv/bcd138

# Build-only values: settings refuse to load without a strong SECRET_KEY when
# DEBUG is off, so the build makes a random one it then forgets; DEBUG=false
# makes collectstatic use the manifest + compressed storage that whitenoise
# serves in production. Neither value is kept in the image.
RUN export DEBUG=false \
        SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
 && python manage.py compilemessages --ignore=var -v 0 \
 && python manage.py collectstatic --noinput -v 0 \
 && rm -f var/db.sqlite3 \
 && python -m compileall -q .


FROM base AS runtime

COPY --from=build /opt/venv /opt/venv
COPY --from=build /srv/bcd138 /srv/bcd138

# A named volume mounted here for the first time takes this ownership.
RUN mkdir -p /srv/bcd138/var/private \
 && chown bcd138:bcd138 /srv/bcd138/var/private \
 && chmod 0750 /srv/bcd138/var/private

USER bcd138:bcd138

EXPOSE 8000

# gunicorn on 0.0.0.0:8000, GUNICORN_WORKERS workers (default 3), access and
# error log on stdout/stderr: see docker/gunicorn.conf.py. Migrations are not
# run here; docker-compose.yml's web service runs docker/entrypoint-web.sh.
CMD ["gunicorn", "--config", "docker/gunicorn.conf.py", "config.wsgi"]
