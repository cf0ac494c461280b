#!/usr/bin/env bash
# The compose example end to end (`npm run test:compose`): builds the image from the Dockerfile,
# brings up deploy/compose/docker-compose.yml and runs test/compose/compose.check-spec.ts
# against it. Needs root and a container engine with compose:
#
#   - Docker with `docker compose` (COMPOSE_COMMAND="docker compose"); or
#   - podman, runc and docker-compose from Debian (apt-get install podman runc docker-compose
#     debootstrap), as on the project's build machines, which reach no image registry: the four
#     images the example names are then built from Debian's packages by stand-in-images.sh.
#
# Also needs openssl. COMPOSE_CHECK_KEEP=true leaves the containers running afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ "${COMPOSE_COMMAND:-}" != "docker compose" ]; then
  for tool in podman runc docker-compose debootstrap openssl curl; do
    command -v "$tool" >/dev/null || { echo "test:compose needs $tool" >&2; exit 1; }
  done
  # A sandbox may not let a container raise its limits to podman's defaults (1048576 open
  # files): then lower them, unless this machine has its own podman settings.
  if [ ! -e /etc/containers/containers.conf ] \
    && podman run --rm --rootfs / true 2>&1 | grep -q 'setrlimit.*not permitted'; then
    mkdir -p /etc/containers
    printf '%s\n' '[containers]' 'default_ulimits = ["nofile=10000:10000", "nproc=20000:20000"]' \
      '[engine]' 'runtime = "runc"' >/etc/containers/containers.conf
  fi
  # docker-compose talks to podman's Docker-compatible API.
  sock=/run/podman/podman.sock
  if ! curl -sf --unix-socket "$sock" http://podman/_ping >/dev/null 2>&1; then
    mkdir -p /run/podman
    nohup podman system service --time=0 "unix://$sock" >/tmp/podman-service.log 2>&1 &
    for _ in $(seq 1 50); do
      curl -sf --unix-socket "$sock" http://podman/_ping >/dev/null 2>&1 && break
      sleep 0.2
    done
  fi
  export DOCKER_HOST="unix://$sock"
  # podman runs healthchecks from systemd timers; without systemd (a container, a minimal VM)
  # nobody does, and `depends_on: condition: service_healthy` would wait for ever: run them.
  if ! pidof systemd >/dev/null 2>&1; then
    while sleep 2; do
      for name in $(podman ps --filter health=starting --filter health=unhealthy --format '{{.Names}}'); do
        podman healthcheck run "$name" >/dev/null 2>&1 || true
      done
    done &
    healthchecks=$!
  fi
  if [ "${COMPOSE_CHECK_STAND_INS:-true}" = true ]; then test/compose/stand-in-images.sh; fi
fi

# This machine's address as the containers reach it: the check's identity provider and PSP
# simulator listen there, and nginx's TLS entrance is published there.
host_ip=${COMPOSE_CHECK_HOST_IP:-$(ip -4 route get 1.1.1.1 | awk '{for (i = 1; i < NF; i++) if ($i == "src") print $(i + 1)}')}
dir=$(mktemp -d /tmp/compose-check.XXXXXX)
trap 'rm -rf "$dir"; [ -z "${healthchecks:-}" ] || kill "$healthchecks"' EXIT

# A throw-away CA: nginx's certificate for the webhook entrance and the PSP simulator's.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=PaymentServer compose check CA" \
  -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
certificate() { # <file prefix> <subjectAltName>
  openssl req -newkey rsa:2048 -nodes -subj "/CN=${2#*:}" -keyout "$1.key" -out "$1.csr" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
    -extfile <(printf 'subjectAltName=%s' "$2") -out "$1.pem" 2>/dev/null
  rm -f "$1.csr"
}
mkdir -p "$dir/certs"
certificate "$dir/certs/pay.example.com" "IP:$host_ip,DNS:pay.example.com"
certificate "$dir/psp" "IP:$host_ip"
chmod 644 "$dir"/*.pem "$dir"/*.key "$dir"/certs/*

COMPOSE_CHECK_DIR=$dir COMPOSE_CHECK_HOST_IP=$host_ip NODE_EXTRA_CA_CERTS=$dir/ca.pem \
  npx jest -c test/compose/jest.config.js --runInBand "$@"
