# qrlogin node image. Build: docker build -t qrlogin .
# Run several behind a load balancer with one Redis: see docker-compose.yml and
# the README's "Scaling out".

# --- build: compile TypeScript and bundle the demo pages, then drop dev dependencies
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

# --- runtime: compiled code and production dependencies only, as the unprivileged `node` user
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
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
