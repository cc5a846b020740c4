package dev.wgmesh.controller.agentapi;

/** The controller's version when the jar carries no build info (running from an IDE or the test classpath). */
final class ControllerVersion {
    static final String VERSION = "0.1.0";

    private ControllerVersion() {}
}
