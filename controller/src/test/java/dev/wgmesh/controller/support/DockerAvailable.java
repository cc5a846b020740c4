package dev.wgmesh.controller.support;

import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.testcontainers.DockerClientFactory;

/** True when a Docker engine answers (Testcontainers can run); checked once per JVM. */
final class DockerAvailable implements Condition {
    private static volatile Boolean available;

    static boolean check() {
        Boolean a = available;
        if (a == null) {
            boolean result;
            try {
                result = DockerClientFactory.instance().isDockerAvailable();
            } catch (RuntimeException | LinkageError ex) {
                result = false;
            }
            available = a = result;
        }
        return a;
    }

    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        return check();
    }

    static final class Not implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !check();
        }
    }
}
