package dev.wgmesh.controller.audit;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Fallback;

@Configuration(proxyBeanMethods = false)
class AuditConfiguration {
    /** Used only while no other {@link ActorProvider} bean exists (before authentication is wired in). */
    @Bean
    @Fallback
    ActorProvider anonymousActorProvider() {
        return () -> "anonymous";
    }
}
