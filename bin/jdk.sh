# Sourced by wgmesh's launchers: selects a JDK 25 (or newer) into JAVA_HOME and JAVA, or stops with one line.
# Order: $JAVA_HOME when it is 25+, then the newest 25+ JDK under /usr/lib/jvm, then `java` on the PATH.

wgmesh_java_major() {
  # Prints the feature version of the java binary $1 (17, 25, ...), or nothing.
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

wgmesh_select_jdk() {
  local candidate major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    major=$(wgmesh_java_major "$JAVA_HOME/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      export JAVA_HOME; JAVA="$JAVA_HOME/bin/java"; return 0
    fi
  fi
  for candidate in /usr/lib/jvm/*; do
    [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(wgmesh_java_major "$candidate/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 25 ] && [ "$major" -gt "$best_major" ]; then
      best="$candidate"; best_major="$major"
    fi
  done
  if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    major=$(wgmesh_java_major "$candidate/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then best="$candidate"; fi
  fi
  if [ -z "$best" ]; then
    echo "wgmesh needs a JDK 25 or newer: install one (e.g. Debian/Ubuntu 'apt-get install temurin-25-jdk' from Adoptium, or any JDK 25 under /usr/lib/jvm) or set JAVA_HOME to it." >&2
    return 1
  fi
  export JAVA_HOME="$best"; JAVA="$best/bin/java"
}

# Flags every wgmesh JVM gets: FFM (TUN, sockets) needs native access; gRPC's Netty still touches sun.misc.Unsafe.
WGMESH_JVM_FLAGS="--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
# And the data plane's JVMs (agent, wgmesh-wg): objects that survive one young collection go straight to the old
# generation. What survives there is the packet pool and the configuration, allocated once and kept; the per-packet
# garbage the JCE cipher makes never survives. With the default ageing, G1 copied the pool from survivor space to
# survivor space in every pause for its first 15 collections (7-20 ms each under a flood on 2 cores, every second or
# so: a ping caught in one waits that long); promoted at once, those pauses took 1-3 ms (bench/fairdiag.sh).
WGMESH_DATAPLANE_JVM_FLAGS="-XX:MaxTenuringThreshold=0"
