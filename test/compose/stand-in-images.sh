#!/usr/bin/env bash
# Builds, from Debian bookworm's packages, local stand-ins for the four Docker Hub images that
# Dockerfile and deploy/compose/docker-compose.yml name, for a machine that reaches Debian's
# mirror and the npm registry but not Docker Hub (as the project's build machines). Each is
# tagged with the official name, so `docker compose` (here against podman) uses it unchanged:
#
#   node:20-bookworm-slim  Debian bookworm + this machine's Node.js 20 with its headers, npm,
#                          trusted CAs and npm settings; user node (1000)
#   postgres:16            Debian's PostgreSQL 15; the official entrypoint's POSTGRES_USER,
#                          POSTGRES_PASSWORD and POSTGRES_DB (scram-sha-256 over the network)
#   rabbitmq:3.13          Debian's RabbitMQ 3.10; RABBITMQ_DEFAULT_USER/RABBITMQ_DEFAULT_PASS
#   nginx:1.27             Debian's nginx 1.22 in the foreground
#
# Versions differ from the official images (said so in test/compose/README.md); what the run
# checks is the compose file and the Dockerfile, not these servers.
#
#   test/compose/stand-in-images.sh            # needs root, podman and debootstrap
set -euo pipefail

work=${STANDIN_WORK:-/var/tmp/paymentserver-standin}
rootfs=$work/bookworm
mkdir -p "$work"

if ! podman image exists localhost/bookworm:standin; then
  if [ ! -x "$rootfs/bin/sh" ]; then
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian
  fi
  tar -C "$rootfs" -c . | podman import - localhost/bookworm:standin
fi

build() { # <tag> <context dir>: Containerfile in the context
  podman build --quiet --tag "$1" "$2" >/dev/null
  echo "built $1"
}

# <tag> <context dir with entrypoint.sh> <Debian package> <port> [Containerfile line]
service_image() {
  cat > "$2/Containerfile" <<CF
FROM localhost/bookworm:standin
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends $3 >/dev/null \\
 && rm -rf /var/lib/apt/lists/*
${5:-}
COPY entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN chmod 755 /usr/local/bin/docker-entrypoint.sh
EXPOSE $4
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CF
  build "$1" "$2"
}

# --- node:20-bookworm-slim ---------------------------------------------------------------
ctx=$work/node && rm -rf "$ctx" && mkdir -p "$ctx"
cp "$(command -v node)" "$ctx/node"
cp -r "$(npm root -g)/npm" "$ctx/npm"
# This machine's trusted certificates: its way out to the npm registry may present its own CA.
cp /etc/ssl/certs/ca-certificates.crt "$ctx/machine-ca.crt"
# Node's headers: native addons (better-sqlite3) build from source where no prebuilt binary can
# be downloaded, and node-gyp cannot download the headers either.
cp -r /usr/include/node "$ctx/node-headers"
cat > "$ctx/Containerfile" <<'CF'
FROM localhost/bookworm:standin
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY machine-ca.crt /usr/local/share/machine-ca.crt
COPY node-headers /usr/include/node
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/machine-ca.crt npm_config_cafile=/usr/local/share/machine-ca.crt \
    npm_config_nodedir=/usr
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
CMD ["node"]
CF
build docker.io/library/node:20-bookworm-slim "$ctx"

# --- postgres:16 -------------------------------------------------------------------------
ctx=$work/postgres && rm -rf "$ctx" && mkdir -p "$ctx"
cat > "$ctx/entrypoint.sh" <<'SH'
#!/bin/sh
# The official image's start-up, as far as docker-compose.yml relies on it.
set -e
export PGDATA=/var/lib/postgresql/data
mkdir -p "$PGDATA" /run/postgresql && chown -R postgres:postgres "$PGDATA" /run/postgresql
chmod 700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp) && printf '%s' "$POSTGRES_PASSWORD" > "$pwfile" && chown postgres "$pwfile"
  runuser -u postgres -- initdb --username="$POSTGRES_USER" --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -D "$PGDATA" >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  runuser -u postgres -- postgres -D "$PGDATA" -c listen_addresses='' &
  until runuser -u postgres -- pg_isready -q -h /run/postgresql; do sleep 0.2; done
  if [ "$POSTGRES_DB" != postgres ]; then
    runuser -u postgres -- psql -h /run/postgresql -U "$POSTGRES_USER" -d postgres \
      -c "CREATE DATABASE \"$POSTGRES_DB\""
  fi
  runuser -u postgres -- pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
fi
exec runuser -u postgres -- postgres -D "$PGDATA" -c listen_addresses='*'
SH
service_image docker.io/library/postgres:16 "$ctx" postgresql-15 5432 \
  'ENV PATH=/usr/lib/postgresql/15/bin:$PATH'

# --- rabbitmq:3.13 -----------------------------------------------------------------------
ctx=$work/rabbitmq && rm -rf "$ctx" && mkdir -p "$ctx"
cat > "$ctx/entrypoint.sh" <<'SH'
#!/bin/sh
set -e
cat > /etc/rabbitmq/rabbitmq.conf <<CONF
default_user = ${RABBITMQ_DEFAULT_USER:-guest}
default_pass = ${RABBITMQ_DEFAULT_PASS:-guest}
loopback_users = none
listeners.tcp.default = 5672
CONF
chown -R rabbitmq:rabbitmq /var/lib/rabbitmq
exec rabbitmq-server
SH
service_image docker.io/library/rabbitmq:3.13 "$ctx" rabbitmq-server 5672

# --- nginx:1.27 --------------------------------------------------------------------------
ctx=$work/nginx && rm -rf "$ctx" && mkdir -p "$ctx"
cat > "$ctx/Containerfile" <<'CF'
FROM localhost/bookworm:standin
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends nginx >/dev/null \
 && rm -rf /var/lib/apt/lists/* && ln -sf /dev/stdout /var/log/nginx/access.log \
 && ln -sf /dev/stderr /var/log/nginx/error.log
EXPOSE 80
CMD ["nginx", "-g", "daemon off;"]
CF
build docker.io/library/nginx:1.27 "$ctx"
