#!/usr/bin/env bash
# Install Debian's PostgreSQL, Redis and nginx for the production profile, when missing.
#
# `make service-deps` (and so `make run-prod` and .ci/run) call this. The profile runs its own
# instances on loopback (infra/prod.py), so the packages' own default services are not wanted:
# no "main" PostgreSQL cluster is created, and nothing is started during installation.
# --optional: without root, only say what is missing (the tests that need it skip, saying why).
set -euo pipefail

missing=()
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || command -v pg_ctl >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "The production profile needs: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get install ${missing[*]}   (or run this as root)" >&2
    [ "${1:-}" = "--optional" ] && exit 0
    exit 1
fi

echo "==> installing ${missing[*]} (Debian packages)"
# Keep the packages' post-install scripts from starting their default services.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if [[ " ${missing[*]} " == *" postgresql "* ]]; then
    apt-get install -y -qq --no-install-recommends postgresql-common >/dev/null
    sed -i -E 's/^#? *create_main_cluster *=.*/create_main_cluster = false/' \
        /etc/postgresql-common/createcluster.conf
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "==> installed ${missing[*]}"
