package dev.wgmesh.dataplane.device;

/** The whole {@link DeviceTest} regression suite in per-flow mode over a single TUN queue and socket. */
class PerFlowDeviceTest extends DeviceTest {
    @Override
    DataPathMode mode() {
        return DataPathMode.PER_FLOW;
    }
}
