# One image for every Chorus process: `chorus migrate`, `chorus serve`, `chorus worker`.
# The employee app (pwa/) is built in a Node stage; the API serves its dist/ at /.
# Base images are pinned to exact versions (Dependabot proposes updates, .github/dependabot.yml);
# for byte-for-byte rebuilds, add their digests: `FROM python:3.11.18-slim@sha256:…`
# (`docker buildx imagetools inspect python:3.11.18-slim` prints it).
# Python dependencies come from uv.lock, installed before the code is copied, so a code change
# rebuilds only the last layers. Health checks are per service in docker-compose.yml: the API
# answers HTTP, the worker does not.

FROM node:20.20.2-slim AS pwa
WORKDIR /pwa
COPY pwa/package.json pwa/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY pwa ./
RUN npm run build

FROM python:3.11.18-slim AS build
ENV UV_VERSION=0.13.9 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install "uv==${UV_VERSION}"
WORKDIR /app
# the locked dependencies of production (no extras): rebuilt only when the lock moves
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-install-project --no-editable
# then Chorus itself, installed into the same environment (not editable: the code lives there)
COPY README.md ./
COPY backend ./backend
COPY workers ./workers
COPY migrations ./migrations
RUN uv sync --locked --no-editable

FROM python:3.11.18-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/app/.venv/bin:$PATH \
    CHORUS_HOST=0.0.0.0 \
    CHORUS_PORT=8000 \
    CHORUS_PWA_DIR=/app/pwa/dist
RUN useradd --system --uid 10001 chorus \
    && install -d -o chorus -g chorus /var/lib/chorus/media
WORKDIR /app
COPY --from=build /app/.venv /app/.venv
COPY --from=pwa /pwa/dist ./pwa/dist
USER chorus

EXPOSE 8000
CMD ["chorus", "serve", "--workers", "2"]
