# The load generator for the Cloud Run job in loadtest.tf: `governor` with its dependencies.
# Build from the repository root after `npm ci && npm run build`:
#   docker build -f infra/loadtest.Dockerfile -t REGION-docker.pkg.dev/PROJECT/governor/loadtest .
# The same Node.js major as the functions' runtime (infra/functions.tf; test/infra checks both).
FROM node:24-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts
COPY dist ./dist
COPY bin/governor.js ./bin/governor.js
COPY firebase.json ./
ENTRYPOINT ["node", "bin/governor.js"]
