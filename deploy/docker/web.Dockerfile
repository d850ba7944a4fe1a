# syntax=docker/dockerfile:1.7
# parley web image: Next.js standalone server on Node 20 Alpine as user "nextjs".
# Build from the repository root:
#   docker build -f deploy/docker/web.Dockerfile -t parley-web .
# With a CDN for the static assets (see deploy/README.md, "CDN"):
#   docker build -f deploy/docker/web.Dockerfile --build-arg PARLEY_ASSET_PREFIX=https://cdn.example.com -t parley-web .
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-alpine AS deps
WORKDIR /app
COPY web/package.json web/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

FROM node:${NODE_VERSION}-alpine AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /app/node_modules ./node_modules
COPY web/ ./
# Optional CDN origin for /_next/static (e.g. https://cdn.example.com): Next
# bakes it into the HTML, the client runtime and the CSP, so it is a build
# argument (--build-arg PARLEY_ASSET_PREFIX=…), not a runtime variable.
# Empty: the browser loads the assets from the web app itself.
ARG PARLEY_ASSET_PREFIX=""
RUN npm run build && mkdir -p public

FROM node:${NODE_VERSION}-alpine AS runner
ARG VERSION=dev
LABEL org.opencontainers.image.title="parley-web" \
      org.opencontainers.image.description="parley: self-hosted AI chat on Groq (web app)" \
      org.opencontainers.image.source="https://github.com/parley-chat/parley" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}"
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    HOSTNAME=0.0.0.0 \
    PARLEY_API_URL=http://api:8080
RUN addgroup -S -g 1001 nodejs && adduser -S -u 1001 -G nodejs nextjs
# The standalone server, with the static assets and public/ beside server.js.
COPY --from=build --chown=nextjs:nodejs /app/.next/standalone ./
COPY --from=build --chown=nextjs:nodejs /app/.next/static ./.next/static
COPY --from=build --chown=nextjs:nodejs /app/public ./public
# The launcher that appends the connecting peer to X-Forwarded-For before
# Next sees the request (Next alone keeps whatever chain the client sent).
COPY --from=build --chown=nextjs:nodejs /app/scripts/server.mjs ./scripts/server.mjs
USER nextjs
EXPOSE 3000
# No curl in the image: node's fetch of the web app's own health route
# (no session, no API call: the API has its own health check).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "scripts/server.mjs"]
