# Controller image. Build the jar first: ./wgmesh build
FROM eclipse-temurin:25-jre-alpine
RUN addgroup -S wgmesh && adduser -S wgmesh -G wgmesh && mkdir -p /var/lib/wgmesh && chown wgmesh:wgmesh /var/lib/wgmesh
COPY controller/target/wgmesh-controller.jar /opt/wgmesh/wgmesh-controller.jar
USER wgmesh
EXPOSE 8080 9090
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-jar", "/opt/wgmesh/wgmesh-controller.jar"]
