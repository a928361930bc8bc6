# syntax=docker/dockerfile:1
# Mailboat's image (docs/docker.md): the API, which runs its TypeScript through tsx (a
# runtime dependency), and the PWA, built in its own stage and served by the API.

FROM node:20-slim AS deps
WORKDIR /app
# The pnpm that package.json pins ("packageManager"), so the image and `npm start` agree.
COPY package.json ./
RUN npm install --global --no-fund --no-audit "$(node -p 'require("./package.json").packageManager')"
# Manifests first: the install layer is rebuilt only when dependencies change.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
COPY api/package.json api/
COPY schema/package.json schema/
COPY web/package.json web/
COPY sw/package.json sw/
COPY checks/package.json checks/
# This stage is left behind: its pnpm, npm cache and pnpm store never reach the image.
RUN pnpm install --frozen-lockfile --prod

FROM deps AS web
# Everything, dev dependencies included, to build the PWA into web/dist.
RUN pnpm install --frozen-lockfile
COPY schema schema
COPY web web
RUN pnpm -r --if-present run build

FROM node:20-slim AS runtime
ENV NODE_ENV=production \
  HOST=0.0.0.0 \
  PORT=4000 \
  DATA_DIR=/data
WORKDIR /app
# Code and dependencies stay owned by root (read-only to the app); only DATA_DIR is writable.
COPY --from=deps /app ./
COPY . .
COPY --from=web /app/web/dist web/dist
RUN mkdir -p /data && chown node:node /data
USER node
WORKDIR /app/api
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# One process (no npm/pnpm/tsx wrapper), so SIGTERM reaches main.ts's graceful shutdown.
CMD ["node", "--import", "tsx", "src/main.ts"]
