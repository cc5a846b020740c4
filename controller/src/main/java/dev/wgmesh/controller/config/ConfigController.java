package dev.wgmesh.controller.config;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.springframework.http.CacheControl;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Downloads of a device's wg-quick file and its QR code. Responses hold a private key: never cached. */
@RestController
@RequestMapping("/api/v1/networks/{networkId}/peers/{peerId}")
class ConfigController {
    private static final MediaType SVG = MediaType.parseMediaType("image/svg+xml");

    private final ConfigService configs;

    ConfigController(ConfigService configs) {
        this.configs = configs;
    }

    @GetMapping("/config")
    ResponseEntity<byte[]> file(@PathVariable UUID networkId, @PathVariable UUID peerId) {
        ConfigService.DeviceConfigFile f = configs.export(networkId, peerId, "conf");
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .header(
                        HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment()
                                .filename(f.fileName())
                                .build()
                                .toString())
                .contentType(new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8))
                .body(f.text().getBytes(StandardCharsets.UTF_8));
    }

    @GetMapping("/config.png")
    ResponseEntity<byte[]> png(@PathVariable UUID networkId, @PathVariable UUID peerId) {
        ConfigService.DeviceConfigFile f = configs.export(networkId, peerId, "png");
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .contentType(MediaType.IMAGE_PNG)
                .body(QrCodes.png(f.text()));
    }

    @GetMapping("/config.svg")
    ResponseEntity<byte[]> svg(@PathVariable UUID networkId, @PathVariable UUID peerId) {
        ConfigService.DeviceConfigFile f = configs.export(networkId, peerId, "svg");
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .contentType(SVG)
                .body(QrCodes.svg(f.text()).getBytes(StandardCharsets.UTF_8));
    }
}
