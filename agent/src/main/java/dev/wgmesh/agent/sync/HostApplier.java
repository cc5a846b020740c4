package dev.wgmesh.agent.sync;

import dev.wgmesh.agent.host.HostNetwork;
import dev.wgmesh.agent.host.HostSettings;
import dev.wgmesh.proto.v1.InterfaceConfig;

/**
 * The host side of a revision (addresses, MTU, routes, forwarding): {@link HostNetwork} on a real host, a fake in
 * tests. {@link #apply} is all-or-nothing: on failure what it changed is rolled back.
 */
public interface HostApplier {
    /** Checks {@code config} without touching the host. @throws IllegalArgumentException when invalid */
    void validate(InterfaceConfig config);

    /** Makes the host match {@code config}. @throws Exception the host is unchanged */
    void apply(InterfaceConfig config) throws Exception;

    /** Adapts {@link HostNetwork}. */
    static HostApplier of(HostNetwork host) {
        return new HostApplier() {
            @Override
            public void validate(InterfaceConfig config) {
                HostSettings.from(config);
            }

            @Override
            public void apply(InterfaceConfig config) throws Exception {
                host.apply(config);
            }
        };
    }
}
