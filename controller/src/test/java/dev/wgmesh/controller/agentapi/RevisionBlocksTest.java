package dev.wgmesh.controller.agentapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Block reservation on the embedded database (PostgreSQL runs it in the Sync integration tests): blocks start above
 * everything reserved, desired or applied, and only the agent's current session gets one.
 */
class RevisionBlocksTest {
    private final DriverManagerDataSource db = new DriverManagerDataSource(
            "jdbc:h2:mem:blocks-" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
    private final JdbcTemplate jdbc = new JdbcTemplate(db);
    private final RevisionBlocks blocks =
            new RevisionBlocks(jdbc, new TransactionTemplate(new DataSourceTransactionManager(db)));

    @Test
    void eachSessionGetsABlockAboveEverythingBeforeIt() {
        jdbc.execute("CREATE TABLE agent (id UUID PRIMARY KEY, session_id UUID, desired_revision BIGINT NOT NULL,"
                + " applied_revision BIGINT NOT NULL, revision_reserved BIGINT NOT NULL)");
        UUID agent = UUID.randomUUID();
        UUID first = UUID.randomUUID();
        jdbc.update("INSERT INTO agent VALUES (?, ?, 7, 5, 0)", agent, first);

        RevisionBlocks.Reserved a = blocks.reserve(agent, first, 3).orElseThrow();
        assertThat(a).isEqualTo(new RevisionBlocks.Reserved(7, 7 + RevisionBlocks.BLOCK, 7));

        UUID second = UUID.randomUUID();
        jdbc.update("UPDATE agent SET session_id = ? WHERE id = ?", second, agent);
        assertThat(blocks.reserve(agent, first, 0)).isEmpty(); // superseded: no more revisions
        RevisionBlocks.Reserved b = blocks.reserve(agent, second, 9).orElseThrow();
        assertThat(b.floor()).isEqualTo(a.ceiling()); // nothing the first session could number
        assertThat(blocks.reserve(agent, second, 5000).orElseThrow().floor()).isEqualTo(5000);
    }
}
