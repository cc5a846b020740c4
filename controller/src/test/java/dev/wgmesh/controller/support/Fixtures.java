package dev.wgmesh.controller.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/** Builders for API test data; names are unique per JVM so test classes can share one application context. */
public final class Fixtures {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final ApiClient api;

    public Fixtures(ApiClient api) {
        this.api = api;
    }

    public static String unique(String prefix) {
        return prefix + "-" + SEQ.incrementAndGet() + "-"
                + UUID.randomUUID().toString().substring(0, 6);
    }

    public static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    public UUID network(String ipv4Prefix, String ipv6Prefix) {
        var r = api.post(
                "/api/v1/networks",
                map(
                        "name",
                        unique("net"),
                        "ipv4Prefix",
                        ipv4Prefix,
                        "ipv6Prefix",
                        ipv6Prefix,
                        "dnsServers",
                        List.of("10.99.0.53", "corp.example"),
                        "persistentKeepalive",
                        25));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.id();
    }

    public UUID site(UUID network, String... lanPrefixes) {
        var r = api.post(
                "/api/v1/networks/" + network + "/sites",
                map("name", unique("site"), "lanPrefixes", List.of(lanPrefixes)));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.id();
    }

    public ApiClient.Response agent(UUID network, UUID site, String endpoint, String publicKey) {
        var r = api.post(
                "/api/v1/networks/" + network + "/peers",
                map(
                        "name", unique("agent"),
                        "kind", "AGENT",
                        "siteId", site,
                        "publicKey", publicKey,
                        "endpoint", endpoint));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r;
    }

    public ApiClient.Response device(UUID network, Map<String, Object> extra) {
        Map<String, Object> body = map("name", unique("dev"), "kind", "DEVICE");
        body.putAll(extra);
        var r = api.post("/api/v1/networks/" + network + "/peers", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r;
    }
}
