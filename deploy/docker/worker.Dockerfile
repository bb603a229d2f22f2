# detector-worker: the Quarkus worker plus the decree CLI it runs per scan (libtorch bundled, CPU).
#   docker build -f deploy/docker/worker.Dockerfile -t decree/detector-worker .
# GPU: build with --build-arg RUNTIME_IMAGE=<an image with a CUDA libtorch 2.7.1, e.g. a PyTorch 2.7.1 CUDA image>
# and run with PYTORCH_LIBRARY_PATH=<its torch/lib>, PYTORCH_VERSION=2.7.1, PYTORCH_FLAVOR=cu128 (see deploy/README.md):
# DJL's CUDA libtorch jars are not on Maven Central, so the CUDA library comes from the runtime image.
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 mvn -B -ntp -DskipTests -pl detector-worker,decree-cli -am package

FROM ${RUNTIME_IMAGE}
# A CUDA/PyTorch runtime image may have no Java: add a JRE there.
RUN command -v java >/dev/null || (apt-get update && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
    && rm -rf /var/lib/apt/lists/*)
RUN useradd --system --uid 1001 decree && mkdir -p /var/decree /cache && chown 1001 /var/decree /cache
COPY --from=build --chown=1001 /src/detector-worker/target/quarkus-app /app
COPY --from=build --chown=1001 /src/decree-cli/target/decree-cli.jar /opt/decree-cli/decree-cli.jar
COPY --from=build --chown=1001 /src/decree-cli/target/lib /opt/decree-cli/lib
USER 1001
EXPOSE 8080
ENV QUARKUS_HTTP_PORT=8080 \
    DECREE_WORKER_CLI_HOME=/opt/decree-cli \
    DECREE_WORKER_WORK_DIR=/var/decree/work \
    DJL_CACHE_DIR=/cache/djl ENGINE_CACHE_DIR=/cache/engine \
    DECREE_WORKER_SHADOW_SETS_PHOTOS=/data/images/photos \
    DECREE_WORKER_SHADOW_SETS_FACES=/data/images/faces
ENTRYPOINT ["sh", "-c", "exec java -Xmx512m -jar /app/quarkus-run.jar"]
