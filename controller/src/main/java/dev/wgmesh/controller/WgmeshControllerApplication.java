package dev.wgmesh.controller;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The wgmesh controller: packages below this one are features (network, peer, site, agentapi, ...). */
@SpringBootApplication
@ConfigurationPropertiesScan
public class WgmeshControllerApplication {
    public static void main(String[] args) {
        SpringApplication.run(WgmeshControllerApplication.class, args);
    }
}
