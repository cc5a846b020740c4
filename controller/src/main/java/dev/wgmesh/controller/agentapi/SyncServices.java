package dev.wgmesh.controller.agentapi;

import org.springframework.stereotype.Component;

/** What a {@link SyncCall} needs, in one bean. */
@Component
record SyncServices(
        AgentStore store,
        AgentHub hub,
        AgentStateWriter writer,
        AdmissionLimiter admission,
        StatsIngest stats,
        AgentEventLog eventLog) {}
