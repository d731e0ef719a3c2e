# syntax=docker/dockerfile:1
# qrlogin node image. Build: docker build -t qrlogin .
# Run several behind a load balancer with one Redis: see docker-compose.yml and
# the README's "Scaling out". test/container.test.ts replays this file's steps
# on a copy of the build context (.dockerignore applied), so a broken context fails CI.

# Node 24 is the active LTS line; pinned to a release so every build is the same.
ARG NODE_IMAGE=node:24.20.0-trixie-slim

# --- build: compile the server and SDKs, bundle the demo pages
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No scripts: `prepare` would build before the sources are copied. npm's cache
# is a build cache mount (BuildKit): kept between builds, never in the image.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts
COPY . .
RUN npm run build

# --- runtime: compiled code and production dependencies only, as the unprivileged `node` user
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
# No scripts: `prepare` builds, which needs the dev dependencies left out here.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# /healthz answers while the process runs; readiness (Redis reachable) is /readyz.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + (process.env.BASE_PATH || '') + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains (answers long polls, closes sockets so browsers reconnect to
# another node, closes Redis) and exits 0 within SHUTDOWN_TIMEOUT_MS (10 s).
STOPSIGNAL SIGTERM
CMD ["node", "dist/server/main.js"]
