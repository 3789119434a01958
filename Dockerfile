# One image for every role (PLATFORM_ROLES picks what a container runs) and the one-shot migration.
# Build: every workspace package, and the server compiled into apps/platform/dist (plain JavaScript).
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /src
RUN npm install -g pnpm@10.34.9
COPY . .
RUN pnpm install --frozen-lockfile && pnpm run build

# Only the production dependencies of the platform (what the compiled server imports at run time).
FROM build AS production-dependencies
RUN pnpm --filter @avatar-chat/platform --prod deploy --legacy /deploy

# The runtime: no pnpm, no tsx, no dev dependencies, not root. `node` runs as PID 1 (the image's entrypoint
# execs it), so `docker stop`'s SIGTERM reaches the shutdown code directly.
FROM node:24.21.0-bookworm-slim
# espeak-ng: the offline voice the worker runs as a separate program (docs/ai.md).
RUN apt-get update && apt-get install -y --no-install-recommends espeak-ng && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production DATA_DIR=/tmp/avatar-chat
WORKDIR /app
COPY --from=production-dependencies /deploy/node_modules apps/platform/node_modules
COPY --from=build /src/apps/platform/package.json apps/platform/package.json
COPY --from=build /src/apps/platform/dist apps/platform/dist
COPY --from=build /src/apps/dashboard/dist apps/dashboard/dist
COPY --from=build /src/packages/widget/dist packages/widget/dist
USER node
EXPOSE 3000 3001
STOPSIGNAL SIGTERM
CMD ["node", "apps/platform/dist/main.js"]
