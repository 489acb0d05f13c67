#!/bin/sh
# Writes the compose stack's secrets: .env (for Tollgate and PostgreSQL) and secrets/ (files mounted
# into Prometheus and Grafana). Refuses to overwrite, since a new TOLLGATE_ENCRYPTION_KEY could not
# open the credentials stored with the old one. Keep a copy of .env somewhere safe: it is the key
# to every stored tenant credential.
set -eu
cd "$(dirname "$0")"
if [ -e .env ]; then
  echo "generate-env.sh: .env exists; remove it first if you really mean to replace every key" >&2
  exit 1
fi
random() { head -c "$1" /dev/urandom | base64 | tr -d '\n'; }
token() { head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }
umask 077
metrics_token=$(token)
{
  echo "COMPOSE_PROJECT_NAME=tollgate"
  echo "POSTGRES_PASSWORD=$(token)"
  echo "TOLLGATE_ENCRYPTION_KEY=$(random 32)"
  echo "TOLLGATE_EVIDENCE_SIGNING_KEY=$(random 32)"
  echo "TOLLGATE_BOOTSTRAP_ADMIN_KEY=$(token)"
  echo "TOLLGATE_METRICS_TOKEN=$metrics_token"
} > .env
mkdir -p secrets
printf '%s' "$metrics_token" > secrets/metrics_token
printf '%s' "$(token)" > secrets/grafana_admin_password
# Prometheus and Grafana run as their own users: the mounted secret files must be readable to them.
chmod 644 secrets/metrics_token secrets/grafana_admin_password
echo "wrote $(pwd)/.env and $(pwd)/secrets/; the first admin key is TOLLGATE_BOOTSTRAP_ADMIN_KEY in .env"
