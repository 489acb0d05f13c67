# Tollgate's container image. Two stages: the build stage compiles with every dependency; the runtime
# stage holds only the compiled code and the production dependencies, runs as an unprivileged user and
# writes nowhere but its data volume and /tmp, so it runs with a read-only root filesystem.
#   docker build -t tollgate:0.1.0 --build-arg VERSION=0.1.0 --build-arg REVISION=$(git rev-parse HEAD) .
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
COPY migrations ./migrations
COPY scripts ./scripts
COPY bench ./bench
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="Tollgate" \
      org.opencontainers.image.description="Self-hosted SaaS security posture monitor: polls SaaS admin APIs, compares them with a baseline as code, records drift history." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="UNLICENSED" \
      org.opencontainers.image.base.name="docker.io/library/node:20-bookworm-slim"
ENV NODE_ENV=production \
    PORT=8080 \
    TOLLGATE_DATA_DIR=/var/lib/tollgate
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The data dir holds only the embedded database of a trial run; production sets DATABASE_URL.
RUN mkdir -p /var/lib/tollgate && chown 1000:1000 /var/lib/tollgate
# Numeric, so Kubernetes' runAsNonRoot can check it (1000 is the image's `node` user).
USER 1000:1000
VOLUME ["/var/lib/tollgate", "/tmp"]
EXPOSE 8080
# Ready means the database answers and its schema is current; Node's own fetch, as the image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Tollgate handles SIGTERM itself: it stops claiming polls, lets running ones finish within
# TOLLGATE_SHUTDOWN_GRACE_SECONDS, releases their leases and exits.
STOPSIGNAL SIGTERM
CMD ["node", "dist/apps/tollgate/src/main.js"]
