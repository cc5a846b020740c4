/**
 * The per-peer timer state machine of whitepaper §6 ({@link dev.wgmesh.dataplane.timers.PeerTimers}) and the actions it
 * asks of the device ({@link dev.wgmesh.dataplane.timers.TimerActions}).
 */
package dev.wgmesh.dataplane.timers;
