/**
 * Clocks and timers for the data plane: {@link dev.wgmesh.dataplane.time.Clock} (monotonic + wall),
 * {@link dev.wgmesh.dataplane.time.Scheduler} with re-armable {@link dev.wgmesh.dataplane.time.Timer}s, a real
 * single-thread implementation and a deterministic {@link dev.wgmesh.dataplane.time.FakeClock}-driven one for tests.
 */
package dev.wgmesh.dataplane.time;
