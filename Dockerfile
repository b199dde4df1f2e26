# Sentinel server image. Build: docker build -t sentinel . (docker-compose.yml does this for you)
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production SENTINEL_HTTP_HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY migrations ./migrations
COPY schemas ./schemas
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:3000/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# V8's old-space ceiling, as `make up` sets it (SENTINEL_MAX_HEAP_MB there); override NODE_OPTIONS
# to raise it for large fleets.
ENV NODE_OPTIONS=--max-old-space-size=256
CMD ["node", "dist/main.js"]
