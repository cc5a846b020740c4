package dev.wgmesh.dataplane.device;

/** The whole {@link DeviceTest} regression suite on the inline data path (no hand-off, one thread per direction). */
class InlineDeviceTest extends DeviceTest {
    @Override
    DataPathMode mode() {
        return DataPathMode.INLINE;
    }
}
