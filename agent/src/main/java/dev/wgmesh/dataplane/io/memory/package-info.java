/**
 * In-memory fakes of the device's I/O boundaries for tests: {@link dev.wgmesh.dataplane.io.memory.MemoryTun} and
 * {@link dev.wgmesh.dataplane.io.memory.MemoryNetwork} (UDP with drop/duplicate/reorder, rebinding and roaming).
 */
package dev.wgmesh.dataplane.io.memory;
