# One image for api, worker and realtime; PLATFORM_ROLES picks what a container runs.
FROM node:24-bookworm-slim
WORKDIR /app
RUN npm install -g pnpm@10.34.9
COPY . .
RUN pnpm install --frozen-lockfile && pnpm run build
ENV NODE_ENV=production
EXPOSE 3000 3001
CMD ["pnpm", "--filter", "@avatar-chat/platform", "start"]
