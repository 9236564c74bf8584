# segmentd container image: Debian 12, multi-stage. The build stage compiles segmentd and
# packs the .deb (deploy/package); the runtime stage installs that .deb, so apt brings
# exactly the shared libraries it depends on. Runs as the non-root user segmentd
# (uid/gid 10001, as deploy/kubernetes/statefulset.yaml expects); state on a volume.
#
#   podman build -t segmentd:0.1.0 .      (or docker build)
#   podman run -v segmentd-state:/var/lib/segmentd -p 9464:9464 \
#     -e SEGMENTD_KAFKA__BOOTSTRAP__SERVERS=broker:9092 segmentd:0.1.0
#
# The image's /etc/segmentd/segmentd.toml listens on all interfaces and keeps the state
# in /var/lib/segmentd/state; mount your own file there (every option:
# /etc/segmentd/segmentd.toml.example), or set SEGMENTD_<SECTION>__<NAME> variables.
ARG DEBIAN_IMAGE=debian:12

FROM ${DEBIAN_IMAGE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config dpkg-dev file python3 catch2 curl ca-certificates \
      librocksdb-dev libsimdjson-dev libboost-dev libtomlplusplus-dev libcli11-dev \
      libspdlog-dev libfmt-dev librdkafka-dev prometheus-cpp-dev libjemalloc-dev libxxhash-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt README.md ./
COPY app app
COPY bench bench
COPY config config
COPY connectors connectors
COPY deploy deploy
COPY docs docs
COPY engine engine
COPY observability observability
COPY schemas schemas
COPY state state
COPY tests tests
# RocksDB without its assertions (deploy/rocksdb.sh), then segmentd: RelWithDebInfo (-O2),
# the configuration the project tests; cpack strips the binary.
RUN deploy/rocksdb.sh \
 && cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSEGMENTD_SHARED_DIR=/src \
      -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON \
 && ninja -C /build segmentd \
 && cd /build && cpack -G DEB -B /build/package

FROM ${DEBIAN_IMAGE}
COPY --from=build /build/package/segmentd_*.deb /tmp/
RUN groupadd --system --gid 10001 segmentd \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/segmentd \
      --no-create-home --shell /usr/sbin/nologin segmentd \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends /tmp/segmentd_*.deb \
 && rm -rf /var/lib/apt/lists/* /tmp/segmentd_*.deb \
 && mv /etc/segmentd/segmentd.toml /etc/segmentd/segmentd.toml.example \
 && printf '%s\n' \
      '# segmentd in a container; every option: /etc/segmentd/segmentd.toml.example' \
      '# All interfaces need a bearer token: mount a file holding one and set' \
      '# http.auth_token_file to it (else `run` refuses to start, naming the key).' \
      'http.listen = "0.0.0.0:9464"' \
      'state.dir = "/var/lib/segmentd/state"' > /etc/segmentd/segmentd.toml \
 && install -d -o segmentd -g segmentd -m 0750 /var/lib/segmentd
USER 10001:10001
WORKDIR /var/lib/segmentd
VOLUME /var/lib/segmentd
EXPOSE 9464
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/segmentd"]
CMD ["run", "--config", "/etc/segmentd/segmentd.toml"]
