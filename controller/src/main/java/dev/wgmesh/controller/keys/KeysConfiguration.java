package dev.wgmesh.controller.keys;

import java.nio.file.Path;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The master key and the cipher built on it; failing to load the key stops startup (a local fault, fail loudly). */
@Configuration(proxyBeanMethods = false)
class KeysConfiguration {
    @Bean
    SecretCipher secretCipher(
            @Value("${wgmesh.master-key:}") String masterKey, @Value("${wgmesh.data-dir}") String dataDir) {
        byte[] key = MasterKeyLoader.load(masterKey, Path.of(dataDir));
        try {
            return new SecretCipher(key);
        } finally {
            java.util.Arrays.fill(key, (byte) 0);
        }
    }
}
