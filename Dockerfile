# syntax=docker/dockerfile:1
# --- build: compile TypeScript and the dashboard, then keep only production dependencies ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
# The dashboard is an npm workspace: its package.json must be there for `npm ci`.
COPY package.json package-lock.json ./
COPY dashboard/package.json ./dashboard/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ormconfig.ts ./
COPY src ./src
COPY migrations ./migrations
COPY dashboard ./dashboard
# The build writes the server's OpenAPI document, generates the dashboard's API types from it,
# type-checks the dashboard and bundles it into dashboard/dist.
RUN npm run build && npm prune --omit=dev

# --- runtime: non-root, migrations first, then the server --------------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    TZ=UTC \
    PAYMENTSERVER_DB_URL=/var/lib/paymentserver/paymentserver.sqlite
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/dashboard/dist ./dashboard/dist
COPY package.json ./
RUN mkdir -p /var/lib/paymentserver && chown node:node /var/lib/paymentserver
USER node
EXPOSE 28888
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PAYMENTSERVER_PORT||28888)+'/health/live').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["sh", "-c", "node node_modules/typeorm/cli.js migration:run -d dist/ormconfig.js && PAYMENTSERVER_MIGRATIONS_RUN=false exec node dist/src/main.js"]
