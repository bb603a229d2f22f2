# ingest-service and report-service: Quarkus JVM mode, built from the repository.
#   docker build -f deploy/docker/service.Dockerfile --build-arg SERVICE=report-service -t decree/report-service .
FROM maven:3.9-eclipse-temurin-17 AS build
ARG SERVICE
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 mvn -B -ntp -DskipTests -pl ${SERVICE} -am package

FROM eclipse-temurin:17-jre
ARG SERVICE
RUN useradd --system --uid 1001 decree
COPY --from=build --chown=1001 /src/${SERVICE}/target/quarkus-app /app
USER 1001
EXPOSE 8080
ENV QUARKUS_HTTP_PORT=8080 JAVA_OPTS_APPEND=""
ENTRYPOINT ["sh", "-c", "exec java -XX:MaxRAMPercentage=75 $JAVA_OPTS_APPEND -jar /app/quarkus-run.jar"]
