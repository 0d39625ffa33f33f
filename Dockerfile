# syntax=docker/dockerfile:1
# headroom as a container: `docker build -t headroom .` then
# `docker run -v $PWD/headroom.yaml:/etc/headroom/headroom.yaml:ro -p 8080:8080 headroom`
# (set api.listen to 0.0.0.0:8080 in the config, or HEADROOM_LISTEN=0.0.0.0:8080).
ARG NODE_VERSION=22.21.1

FROM node:${NODE_VERSION}-bookworm-slim AS build
# better-sqlite3 builds its addon when no prebuilt one matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
ENV CI=true
RUN corepack enable && corepack prepare pnpm@10.34.9 --activate
COPY . .
RUN pnpm install --frozen-lockfile && pnpm build
# The service with its production dependencies, and the cloud adapters (optional peer
# dependencies of @headroom/scaler, found by package name at run time): all of them unless
# HEADROOM_ADAPTERS names some (`--build-arg HEADROOM_ADAPTERS="provider-aws"`).
ARG HEADROOM_ADAPTERS=""
RUN PNPM=pnpm HEADROOM_ADAPTERS="$HEADROOM_ADAPTERS" bash scripts/deploy-bundle.sh /opt/headroom

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production \
    HEADROOM_CONFIG=/etc/headroom/headroom.yaml \
    HEADROOM_STATE_DIR=/var/lib/headroom \
    HEADROOM_LISTEN=0.0.0.0:8080
COPY --from=build /opt/headroom /opt/headroom
RUN mkdir -p /etc/headroom /var/lib/headroom && chown node:node /var/lib/headroom
USER node
WORKDIR /var/lib/headroom
EXPOSE 8080
# /healthz is open; the service answers it as soon as it listens.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/opt/headroom/dist/cli.js"]
CMD ["run"]
