# cairn: multi-stage build. The first stage installs everything and type-checks; the runtime stage has
# production dependencies and the native UDP addon only, and runs the TypeScript sources with Node 24's
# type stripping. The addon is compiled in the full node:24 image (python3, make, g++).
# `docker run cairn <flags>` serves; `docker run cairn agent <flags>` runs the Docker agent (README, Containers).
FROM node:24 AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json binding.gyp ./
COPY native ./native
COPY scripts/install.js ./scripts/
RUN npm ci --no-audit --no-fund
COPY src ./src
RUN node_modules/.bin/tsc --noEmit -p tsconfig.build.json
# The web console: npm ci ran before its sources were here, so it is built now (dist/ui).
COPY ui ./ui
COPY scripts/build-ui.ts ./scripts/
RUN npm run build:ui && test -f dist/ui/index.html

FROM node:24 AS deps
WORKDIR /app
COPY package.json package-lock.json binding.gyp ./
COPY native ./native
COPY scripts/install.js ./scripts/
# Type declarations, source maps and documents are not run: leaving them out saves about a quarter.
RUN npm ci --omit=dev --no-audit --no-fund && test -f build/Release/udp_batch.node \
  && rm -rf node_modules/@types \
  && find node_modules -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' -o -name '*.md' \) -delete

FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/build/Release/udp_batch.node ./build/Release/udp_batch.node
COPY package.json ./
# Copied from the build stage so the type check gates the image (BuildKit skips unused stages).
COPY --from=build /app/src ./src
COPY --from=build /app/dist/ui ./dist/ui
USER node
# DNS on port 53, where resolv.conf and `docker run --dns` look. The node user may bind it because Docker
# (20.10 and later) starts containers with net.ipv4.ip_unprivileged_port_start=0 in their own network
# namespace; with --network host that does not apply, so there pass --dns-port 8053 (or another port >= 1024).
ENV CAIRN_DNS_PORT=53
EXPOSE 53/udp 53/tcp 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.CAIRN_API_PORT || 8080) + '/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The same node flags as `npm start` (a test keeps them in step).
ENTRYPOINT ["node", "--max-semi-space-size=8", "src/main.ts"]
