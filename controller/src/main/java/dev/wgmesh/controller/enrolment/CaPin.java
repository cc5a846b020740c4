package dev.wgmesh.controller.enrolment;

/**
 * The controller CA's pin, {@code sha256:<64 lowercase hex>} over its certificate's DER. Implemented by the agent
 * API (which owns the CA); enrolment only prints it next to a new key so the operator copies both together.
 */
public interface CaPin {
    String caFingerprint();
}
