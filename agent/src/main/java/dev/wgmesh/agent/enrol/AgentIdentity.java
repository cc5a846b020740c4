package dev.wgmesh.agent.enrol;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import dev.wgmesh.agent.StateDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Who this agent is, as Enroll told it ({@code identity.json} in the state directory). Holds no secret.
 *
 * @param agentId the agent's id (UUID text), sent in every Hello
 * @param networkId the network it joined
 * @param siteId the site it serves, empty when none
 * @param controller the controller address it enrolled with
 * @param tunnelAddresses the tunnel addresses IPAM allocated
 */
public record AgentIdentity(
        String agentId, String networkId, String siteId, String controller, List<String> tunnelAddresses) {
    public static final String FILE = "identity.json";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    public AgentIdentity {
        if (agentId == null || agentId.isBlank()) {
            throw new IllegalArgumentException("identity has no agent id");
        }
        siteId = siteId == null ? "" : siteId;
        tunnelAddresses = tunnelAddresses == null ? List.of() : List.copyOf(tunnelAddresses);
    }

    public static Optional<AgentIdentity> load(StateDir state) throws IOException {
        Optional<byte[]> bytes = state.read(FILE);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        try {
            AgentIdentity id = GSON.fromJson(new String(bytes.get(), StandardCharsets.UTF_8), AgentIdentity.class);
            if (id == null) {
                throw new IOException(state.path().resolve(FILE) + " is empty");
            }
            return Optional.of(
                    new AgentIdentity(id.agentId, id.networkId, id.siteId, id.controller, id.tunnelAddresses));
        } catch (JsonParseException | IllegalArgumentException ex) {
            throw new IOException(state.path().resolve(FILE) + " is corrupt: " + ex.getMessage(), ex);
        }
    }

    public void store(StateDir state) throws IOException {
        state.write(FILE, GSON.toJson(this).getBytes(StandardCharsets.UTF_8));
    }
}
