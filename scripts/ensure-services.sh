#!/usr/bin/env bash
# Make sure what the test suite needs outside Python is here: a PostgreSQL server on
# 127.0.0.1:5432 with trust auth and a `test` database, and Debian's chromium for page tests.
# Installs and starts them when missing (needs root, as CI and the dev machines have).
set -euo pipefail

apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "ensure-services: installing PostgreSQL" >&2
    apt_install postgresql
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  conf=/etc/postgresql/$version/main
  if ! grep -q "catalog-tests" "$conf/pg_hba.conf"; then
    { echo "# catalog-tests: trust on loopback"; echo "host all all 127.0.0.1/32 trust"; } >"$conf/pg_hba.conf.new"
    cat "$conf/pg_hba.conf" >>"$conf/pg_hba.conf.new" && mv "$conf/pg_hba.conf.new" "$conf/pg_hba.conf"
  fi
  echo "ensure-services: starting PostgreSQL $version" >&2
  # The package may have started the cluster already: then it must re-read pg_hba.conf.
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || \
    pg_ctlcluster --skip-systemctl-redirect "$version" main reload || true
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" postgres | grep -q 1; then
  psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE test" postgres >/dev/null
fi

if ! command -v chromium >/dev/null 2>&1; then
  echo "ensure-services: installing chromium" >&2
  apt_install chromium
fi
