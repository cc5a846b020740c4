package dev.wgmesh.controller.audit;

/**
 * Who is making the current change, as recorded in the audit log (a user name, a token name, "system" for
 * housekeeping). The default bean answers "anonymous"; the security feature replaces it with one backed by the
 * authenticated principal (its bean simply has to exist: the default is a {@code @Fallback}).
 */
@FunctionalInterface
public interface ActorProvider {
    String currentActor();
}
