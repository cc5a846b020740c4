package dev.wgmesh.dataplane.device;

/** {@link WireguardGoInteropTest} on the inline data path. */
class InlineWireguardGoInteropTest extends WireguardGoInteropTest {
    @Override
    DataPathMode mode() {
        return DataPathMode.INLINE;
    }
}
