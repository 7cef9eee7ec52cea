# syntax=docker/dockerfile:1
# Dockerfile: builds the six daemons of the suite in one build stage and packs
# them into a small Debian runtime image, one target per service.
#
#   docker build --target authz -t health-authz .          # the authz image
#   docker build --build-arg SERVICE=authz -t health .     # default target: runs $SERVICE
#   docker run --rm health-authz                           # or: docker run health authz
#
# Every image holds all six binaries (in /usr/local/bin) and every service's
# migrations (in /app/services/<svc>/migrations, the default MIGRATIONS_DIR
# relative to the working folder /app); the target only chooses the command.
# The daemons run as the unprivileged user 10001 and are configured by
# environment variables (README, "Configuration"). ADMIN_HOST and EDGE_HOST
# default to 0.0.0.0 here so that probes and clients reach them.

ARG DEBIAN_RELEASE=bookworm

# --- build: the whole tree's daemons --------------------------------------------
FROM debian:${DEBIAN_RELEASE} AS build
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential pkg-config protobuf-c-compiler libprotobuf-c-dev \
      libnats-dev libevent-dev libpq-dev libjansson-dev libsodium-dev libxml2-dev \
      libssl-dev libqrencode-dev libpng-dev libcurl4-openssl-dev libvips-dev libxmlsec1-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# only what the daemons are built from (no build/, var/ or tests/ from the host)
COPY Makefile ./
COPY proto/ proto/
COPY libcommon/ libcommon/
COPY services/ services/
ARG SERVICES="edge identity authz messaging onboarding privacy"
RUN make -j"$(nproc)" BUILD=build $(for s in ${SERVICES}; do printf 'build/bin/%s ' "$s"; done) \
 && mkdir -p /out/bin /out/app/services /out/app/var \
 && for s in ${SERVICES}; do \
      cp "build/bin/$s" /out/bin/ || exit 1; \
      if [ "$s" != edge ]; then mkdir -p "/out/app/services/$s/migrations" || exit 1; fi; \
      if [ -d "services/$s/migrations" ]; then cp -r "services/$s/migrations/." "/out/app/services/$s/migrations/"; fi; \
    done

# --- runtime: shared libraries, binaries, migrations ------------------------------
FROM debian:${DEBIAN_RELEASE}-slim AS runtime
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libnats3.4 libprotobuf-c1 libevent-2.1-7 libevent-core-2.1-7 libevent-pthreads-2.1-7 libevent-openssl-2.1-7 \
      libpq5 libjansson4 libsodium23 libxml2 libssl3 libqrencode4 libpng16-16 libcurl4 libvips42 libxmlsec1 libxmlsec1-openssl \
      ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 health \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin health
COPY --from=build /out/bin/ /usr/local/bin/
COPY --from=build --chown=10001:10001 /out/app/ /app/
WORKDIR /app
USER 10001:10001
ENV ADMIN_HOST=0.0.0.0 \
    EDGE_HOST=0.0.0.0 \
    LOG_LEVEL=info
STOPSIGNAL SIGTERM

# --- one target per service -------------------------------------------------------
FROM runtime AS edge
EXPOSE 8080 9100
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s CMD curl -fsS "http://127.0.0.1:${ADMIN_PORT:-9100}/healthz" || exit 1
CMD ["edge"]

FROM runtime AS identity
EXPOSE 9101
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s CMD curl -fsS "http://127.0.0.1:${ADMIN_PORT:-9101}/healthz" || exit 1
CMD ["identity"]

FROM runtime AS authz
EXPOSE 9102
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s CMD curl -fsS "http://127.0.0.1:${ADMIN_PORT:-9102}/healthz" || exit 1
CMD ["authz"]

FROM runtime AS messaging
EXPOSE 9103
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s CMD curl -fsS "http://127.0.0.1:${ADMIN_PORT:-9103}/healthz" || exit 1
CMD ["messaging"]

FROM runtime AS onboarding
EXPOSE 9104
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s CMD curl -fsS "http://127.0.0.1:${ADMIN_PORT:-9104}/healthz" || exit 1
CMD ["onboarding"]

FROM runtime AS privacy
EXPOSE 9105
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s CMD curl -fsS "http://127.0.0.1:${ADMIN_PORT:-9105}/healthz" || exit 1
CMD ["privacy"]

# --- default target: any service, chosen by --build-arg SERVICE or the command ----
FROM runtime AS suite
ARG SERVICE=edge
ENV SERVICE=${SERVICE}
EXPOSE 8080 9100 9101 9102 9103 9104 9105
CMD ["/bin/sh", "-c", "exec \"$SERVICE\""]
