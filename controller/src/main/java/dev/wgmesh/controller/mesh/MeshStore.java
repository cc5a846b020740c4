package dev.wgmesh.controller.mesh;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectMapper;

/** Tables {@code mesh}, {@code mesh_revision}, {@code mesh_agent}, {@code mesh_link_key}. Joins the caller's transaction. */
@Component
class MeshStore {
    private static final String COLUMNS =
            "m.id, m.network_id, m.name, m.revision, m.stable_revision, m.version, m.created_at, m.updated_at, r.spec";
    private static final String FROM =
            " FROM mesh m JOIN mesh_revision r ON r.mesh_id = m.id AND r.revision = m.revision";

    /** A mesh row with its sealed secret (never leaves this package). */
    record Row(Mesh mesh, String secretSealed) {}

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    MeshStore(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void insert(UUID id, UUID networkId, String name, MeshSpec spec, String secretSealed, Instant now) {
        jdbc.update(
                "INSERT INTO mesh (id, network_id, name, revision, stable_revision, secret_sealed, created_at,"
                        + " updated_at, version) VALUES (?, ?, ?, 1, 0, ?, ?, ?, 0)",
                id,
                networkId,
                name,
                secretSealed,
                Timestamp.from(now),
                Timestamp.from(now));
        insertRevision(id, 1, spec, now);
    }

    private void insertRevision(UUID meshId, long revision, MeshSpec spec, Instant now) {
        jdbc.update(
                "INSERT INTO mesh_revision (mesh_id, revision, spec, created_at) VALUES (?, ?, ?, ?)",
                meshId,
                revision,
                json.writeValueAsString(spec),
                Timestamp.from(now));
    }

    /** Renames and, with {@code newSpec}, stores a new spec revision; false when the row's version is no longer {@code expectedVersion}. */
    boolean update(
            UUID meshId,
            long expectedVersion,
            String name,
            long newRevision,
            MeshSpec spec,
            Instant now,
            boolean newSpec) {
        int n = jdbc.update(
                "UPDATE mesh SET name = ?, revision = ?, updated_at = ?, version = version + 1"
                        + " WHERE id = ? AND version = ?",
                name,
                newRevision,
                Timestamp.from(now),
                meshId,
                expectedVersion);
        if (n == 1 && newSpec) {
            insertRevision(meshId, newRevision, spec, now);
        }
        return n == 1;
    }

    void delete(UUID meshId) {
        jdbc.update("DELETE FROM mesh WHERE id = ?", meshId);
    }

    Optional<Row> find(UUID networkId, UUID meshId) {
        return jdbc
                .query(
                        "SELECT " + COLUMNS + ", m.secret_sealed" + FROM + " WHERE m.id = ? AND m.network_id = ?",
                        this::row,
                        meshId,
                        networkId)
                .stream()
                .findFirst();
    }

    Optional<Row> findByNetwork(UUID networkId) {
        return jdbc
                .query(
                        "SELECT " + COLUMNS + ", m.secret_sealed" + FROM + " WHERE m.network_id = ?",
                        this::row,
                        networkId)
                .stream()
                .findFirst();
    }

    /** Locks the mesh row (rollout steps and spec writes serialise on it). */
    void lock(UUID meshId) {
        jdbc.queryForList("SELECT id FROM mesh WHERE id = ? FOR UPDATE", meshId);
    }

    MeshSpec spec(UUID meshId, long revision) {
        List<String> rows = jdbc.queryForList(
                "SELECT spec FROM mesh_revision WHERE mesh_id = ? AND revision = ?", String.class, meshId, revision);
        if (rows.isEmpty()) {
            throw new IllegalStateException("mesh " + meshId + " has no revision " + revision);
        }
        return json.readValue(rows.getFirst(), MeshSpec.class);
    }

    Map<UUID, Long> assignments(UUID meshId) {
        Map<UUID, Long> out = new HashMap<>();
        jdbc.query(
                "SELECT peer_id, revision FROM mesh_agent WHERE mesh_id = ?",
                (ResultSet rs) -> {
                    out.put(rs.getObject(1, UUID.class), rs.getLong(2));
                },
                meshId);
        return out;
    }

    /** Sets (revision non-null) or clears (null) the assignment of each agent peer. */
    void assign(UUID meshId, Map<UUID, Long> revisions, Instant now) {
        List<Object[]> delete =
                revisions.keySet().stream().map(p -> new Object[] {meshId, p}).toList();
        jdbc.batchUpdate("DELETE FROM mesh_agent WHERE mesh_id = ? AND peer_id = ?", delete);
        List<Object[]> insert = revisions.entrySet().stream()
                .filter(e -> e.getValue() != null)
                .map(e -> new Object[] {meshId, e.getKey(), e.getValue(), Timestamp.from(now)})
                .toList();
        jdbc.batchUpdate(
                "INSERT INTO mesh_agent (mesh_id, peer_id, revision, updated_at) SELECT ?, id, ?, ? FROM peer"
                        + " WHERE id = ?",
                insert.stream().map(r -> new Object[] {r[0], r[2], r[3], r[1]}).toList());
    }

    void stable(UUID meshId, long revision) {
        jdbc.update("UPDATE mesh SET stable_revision = ? WHERE id = ?", revision, meshId);
    }

    Map<SitePair, Integer> generations(UUID meshId) {
        Map<SitePair, Integer> out = new HashMap<>();
        jdbc.query(
                "SELECT site_low, site_high, generation FROM mesh_link_key WHERE mesh_id = ?",
                (ResultSet rs) -> {
                    out.put(new SitePair(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class)), rs.getInt(3));
                },
                meshId);
        return out;
    }

    /** Next key generation of a link; returns it. */
    int rotate(UUID meshId, SitePair pair, Instant now) {
        int current = generations(meshId).getOrDefault(pair, 0);
        jdbc.update(
                "DELETE FROM mesh_link_key WHERE mesh_id = ? AND site_low = ? AND site_high = ?",
                meshId,
                pair.low(),
                pair.high());
        jdbc.update(
                "INSERT INTO mesh_link_key (mesh_id, site_low, site_high, generation, rotated_at) VALUES (?, ?, ?, ?, ?)",
                meshId,
                pair.low(),
                pair.high(),
                current + 1,
                Timestamp.from(now));
        return current + 1;
    }

    Optional<Instant> rotatedAt(UUID meshId, SitePair pair) {
        return jdbc
                .query(
                        "SELECT rotated_at FROM mesh_link_key WHERE mesh_id = ? AND site_low = ? AND site_high = ?",
                        (rs, n) -> rs.getTimestamp(1).toInstant(),
                        meshId,
                        pair.low(),
                        pair.high())
                .stream()
                .findFirst();
    }

    /** Sites of the network with at least one enabled AGENT peer that has an endpoint. */
    Set<UUID> sitesWithAgentEndpoint(UUID networkId) {
        return new HashSet<>(jdbc.queryForList(
                "SELECT DISTINCT site_id FROM peer WHERE network_id = ? AND kind = 'AGENT' AND site_id IS NOT NULL"
                        + " AND endpoint IS NOT NULL AND enabled = TRUE",
                UUID.class,
                networkId));
    }

    private Row row(ResultSet rs, int n) throws SQLException {
        MeshSpec spec = json.readValue(rs.getString("spec"), MeshSpec.class);
        Mesh mesh = new Mesh(
                rs.getObject("id", UUID.class),
                rs.getObject("network_id", UUID.class),
                rs.getString("name"),
                rs.getLong("revision"),
                rs.getLong("stable_revision"),
                spec.topology(),
                spec.hubs(),
                spec.members(),
                spec.links(),
                rs.getLong("version"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant());
        return new Row(mesh, rs.getString("secret_sealed"));
    }
}
