package dev.wgmesh.controller.ipam;

import static dev.wgmesh.controller.support.Fixtures.map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.support.ApiClient;
import dev.wgmesh.controller.support.Fixtures;
import dev.wgmesh.controller.support.IntegrationTest;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/** 32 peers created at once over REST on real PostgreSQL: every address distinct, no reservation leaked. */
@IntegrationTest
class ConcurrentAllocationTest {
    private static final int CLIENTS = 32;

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    DataSource dataSource;

    @Autowired
    IpamService ipam;

    @Test
    void concurrentCreationsGetDistinctAddresses() throws Exception {
        try (Connection c = dataSource.getConnection()) {
            assertThat(c.getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
        }
        ApiClient api = new ApiClient(port);
        UUID net = new Fixtures(api).network("10.90.0.0/24", "fd00:90::/112");
        CountDownLatch start = new CountDownLatch(1);
        List<Future<ApiClient.Response>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(CLIENTS)) {
            for (int i = 0; i < CLIENTS; i++) {
                String name = "c" + i;
                results.add(pool.submit(() -> {
                    start.await();
                    return api.post("/api/v1/networks/" + net + "/peers", map("name", name, "kind", "DEVICE"));
                }));
            }
            start.countDown();
            Set<String> v4 = new HashSet<>();
            Set<String> v6 = new HashSet<>();
            for (Future<ApiClient.Response> f : results) {
                ApiClient.Response r = f.get(120, TimeUnit.SECONDS);
                assertThat(r.status()).as(r.toString()).isEqualTo(201);
                v4.add(r.json().get("tunnelIpv4").asString());
                v6.add(r.json().get("tunnelIpv6").asString());
            }
            assertThat(v4).hasSize(CLIENTS);
            assertThat(v6).hasSize(CLIENTS);
        }
        // Dense: the 32 lowest addresses, as the allocator takes the next above the highest.
        List<String> stored = jdbc.queryForList("SELECT tunnel_ipv4 FROM peer WHERE network_id = ?", String.class, net);
        Set<String> expected = new HashSet<>();
        for (int i = 1; i <= CLIENTS; i++) {
            expected.add("10.90.0." + i);
        }
        assertThat(new HashSet<>(stored)).isEqualTo(expected);
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM ip_allocation a JOIN peer p ON p.id = a.peer_id WHERE a.network_id = ?",
                        Integer.class,
                        net))
                .isEqualTo(2 * CLIENTS);
        assertThat(ipam.countAllocated(net)).isEqualTo(2 * CLIENTS);
    }

    /** A reservation whose peer never appeared (the controller died in between) is freed after the grace period. */
    @Test
    void orphanedReservationsAreReaped() {
        UUID net = new Fixtures(new ApiClient(port)).network("10.91.0.0/24", null);
        var orphan = ipam.reserve(net, UUID.randomUUID(), Cidr.parse("10.91.0.0/24"), null, "tunnelIpv4");
        assertThat(orphan.address().toString()).isEqualTo("10.91.0.1");
        assertThat(ipam.reapUnclaimed(java.time.Duration.ofMinutes(10))).isZero(); // still within its grace period
        assertThat(ipam.countAllocated(net)).isEqualTo(1);
        assertThat(ipam.reapUnclaimed(java.time.Duration.ZERO)).isEqualTo(1);
        assertThat(ipam.countAllocated(net)).isZero();
    }
}
