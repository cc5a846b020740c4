package dev.wgmesh.dataplane.device;

/**
 * The whole {@link DeviceTest} regression suite in hybrid mode (light peers inline on transmit, busy ones parallel;
 * receive through the receive tins).
 */
class HybridDeviceTest extends DeviceTest {
    @Override
    DataPathMode mode() {
        return DataPathMode.HYBRID;
    }
}
