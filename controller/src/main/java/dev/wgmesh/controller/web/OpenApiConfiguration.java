package dev.wgmesh.controller.web;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI description (springdoc: /v3/api-docs, Swagger UI: /swagger-ui.html). */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {
    @Bean
    OpenAPI wgmeshOpenApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("wgmesh controller API")
                        .version("v1")
                        .description("Networks, sites, peers, device configs and the audit log. Errors are RFC 9457"
                                + " problem details; writes accept If-Match with the ETag of a prior read (412 on"
                                + " mismatch).")
                        .license(new License().name("Apache-2.0")));
    }
}
