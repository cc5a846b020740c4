package dev.wgmesh.controller.config;

import static dev.wgmesh.controller.support.Fixtures.map;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import dev.wgmesh.controller.keys.WireGuardKeys;
import dev.wgmesh.controller.support.ApiClient;
import dev.wgmesh.controller.support.Fixtures;
import dev.wgmesh.controller.support.IntegrationTest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

@IntegrationTest
class ConfigExportTest {
    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @TempDir
    Path tmp;

    ApiClient api;
    Fixtures fx;

    @BeforeEach
    void setUp() {
        api = new ApiClient(port);
        fx = new Fixtures(api);
    }

    record Mesh(UUID net, UUID device, String primaryKey, String secondKey, String loneKey) {}

    /** A site with two agents (only the first routes the LAN), an agent without site, two that must not appear. */
    private Mesh mesh() {
        UUID net = fx.network("10.95.0.0/24", "fd00:95::/64");
        UUID site = fx.site(net, "192.168.95.0/24", "2001:db8:95::/48");
        String primary = WireGuardKeys.generateKeyPair().publicKey();
        String second = WireGuardKeys.generateKeyPair().publicKey();
        String lone = WireGuardKeys.generateKeyPair().publicKey();
        fx.agent(net, site, "192.0.2.10:51820", primary);
        fx.agent(net, site, "192.0.2.11:51820", second);
        fx.agent(net, null, "[2001:db8::12]:51000", lone);
        fx.agent(net, null, null, WireGuardKeys.generateKeyPair().publicKey()); // no endpoint: unreachable
        api.post(
                "/api/v1/networks/" + net + "/peers",
                map(
                        "name",
                        Fixtures.unique("off"),
                        "kind",
                        "AGENT",
                        "publicKey",
                        WireGuardKeys.generateKeyPair().publicKey(),
                        "endpoint",
                        "192.0.2.13:51820",
                        "enabled",
                        false));
        UUID device = fx.device(net, Map.of()).id();
        return new Mesh(net, device, primary, second, lone);
    }

    private String configPath(Mesh m) {
        return "/api/v1/networks/" + m.net() + "/peers/" + m.device() + "/config";
    }

    @Test
    void exportedFileIsAcceptedByWgQuickAndWireguardGo() throws Exception {
        Mesh m = mesh();
        var r = api.get(configPath(m));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/plain");
        assertThat(r.header("Content-Disposition")).startsWith("attachment").contains(".conf");
        assertThat(r.header("Cache-Control")).contains("no-store");
        String config = r.text();

        var iface = WireGuardTools.sections(config).getFirst();
        assertThat(iface.get("Address")).isEqualTo("10.95.0.6/32, fd00:95::6/128");
        assertThat(iface.get("DNS")).isEqualTo("10.99.0.53, corp.example");
        assertThat(iface.get("MTU")).isEqualTo("1420");

        try (WireGuardTools wg = new WireGuardTools(tmp)) {
            String stripped = wg.strip(config);
            assertThat(stripped).doesNotContain("Address").doesNotContain("DNS").contains("PrivateKey");
            String shown = wg.setconfAndShow(stripped);
            List<Map<String, String>> sections = WireGuardTools.sections(shown);
            assertThat(sections.getFirst().get("PrivateKey")).isEqualTo(iface.get("PrivateKey"));
            Map<String, Map<String, String>> peers =
                    sections.stream().skip(1).collect(Collectors.toMap(s -> s.get("PublicKey"), s -> s));
            assertThat(peers.keySet()).containsExactlyInAnyOrder(m.primaryKey(), m.secondKey(), m.loneKey());
            assertThat(set(peers.get(m.primaryKey()).get("AllowedIPs")))
                    .containsExactlyInAnyOrder("10.95.0.1/32", "fd00:95::1/128", "192.168.95.0/24", "2001:db8:95::/48");
            assertThat(set(peers.get(m.secondKey()).get("AllowedIPs")))
                    .containsExactlyInAnyOrder("10.95.0.2/32", "fd00:95::2/128");
            assertThat(peers.get(m.loneKey()).get("Endpoint")).isEqualTo("[2001:db8::12]:51000");
            assertThat(peers.get(m.primaryKey()).get("Endpoint")).isEqualTo("192.0.2.10:51820");
            assertThat(peers.get(m.primaryKey()).get("PersistentKeepalive")).isEqualTo("25");
            Set<String> psks =
                    peers.values().stream().map(p -> p.get("PresharedKey")).collect(Collectors.toSet());
            assertThat(psks).hasSize(3).allMatch(k -> WireGuardKeys.validatePublicKey(k) == null);
        }

        // The same link keeps its preshared key across downloads, and no key shows up in the audit log.
        assertThat(api.get(configPath(m)).text()).isEqualTo(config);
        String audit =
                api.get("/api/v1/audit?targetId=" + m.device() + "&size=100").text();
        assertThat(audit).contains("peer.config.downloaded");
        for (String secret : secrets(config)) {
            assertThat(audit).doesNotContain(secret);
            assertThat(jdbc.queryForObject(
                            "SELECT count(*) FROM audit_event WHERE details LIKE ?", Integer.class, "%" + secret + "%"))
                    .isZero();
        }
    }

    private static Set<String> set(String commaList) {
        return Set.of(commaList.split(",\\s*"));
    }

    private static List<String> secrets(String config) {
        return config.lines()
                .filter(l -> l.startsWith("PrivateKey") || l.startsWith("PresharedKey"))
                .map(l -> l.substring(l.indexOf('=') + 1).strip())
                .toList();
    }

    @Test
    void qrCodesDecodeToExactlyTheFile() throws Exception {
        Mesh m = mesh();
        String config = api.get(configPath(m)).text();
        var png = api.get(configPath(m) + ".png");
        assertThat(png.status()).isEqualTo(200);
        assertThat(png.header("Content-Type")).isEqualTo("image/png");
        assertThat(decode(ImageIO.read(new ByteArrayInputStream(png.raw().body()))))
                .isEqualTo(config);

        var svg = api.get(configPath(m) + ".svg");
        assertThat(svg.status()).isEqualTo(200);
        assertThat(svg.header("Content-Type")).startsWith("image/svg+xml");
        assertThat(decode(rasterize(svg.text()))).isEqualTo(config);
        long downloads = api.get("/api/v1/audit?targetId=" + m.device())
                .json()
                .get("items")
                .valueStream()
                .filter(e -> e.get("action").asString().equals("peer.config.downloaded"))
                .count();
        assertThat(downloads).isEqualTo(3);
    }

    private static String decode(BufferedImage img) throws Exception {
        var bitmap = new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(img)));
        return new QRCodeReader()
                .decode(bitmap, Map.of(DecodeHintType.PURE_BARCODE, Boolean.TRUE))
                .getText();
    }

    /** Paints the SVG's {@code M x y h w v1 h-w z} runs at 4 px per module. */
    private static BufferedImage rasterize(String svg) {
        Matcher box = Pattern.compile("viewBox=\"0 0 (\\d+) (\\d+)\"").matcher(svg);
        assertThat(box.find()).isTrue();
        int scale = 4;
        int w = Integer.parseInt(box.group(1));
        int h = Integer.parseInt(box.group(2));
        BufferedImage img = new BufferedImage(w * scale, h * scale, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h * scale; y++) {
            for (int x = 0; x < w * scale; x++) {
                img.setRGB(x, y, 0xFFFFFF);
            }
        }
        Matcher run = Pattern.compile("M(\\d+) (\\d+)h(\\d+)v1h-\\d+z").matcher(svg);
        while (run.find()) {
            int x0 = Integer.parseInt(run.group(1));
            int y0 = Integer.parseInt(run.group(2));
            int len = Integer.parseInt(run.group(3));
            for (int y = y0 * scale; y < (y0 + 1) * scale; y++) {
                for (int x = x0 * scale; x < (x0 + len) * scale; x++) {
                    img.setRGB(x, y, 0);
                }
            }
        }
        return img;
    }

    @Test
    void userKeyDeviceGetsAPlaceholderAndAgentsGetNoFile() throws Exception {
        UUID net = fx.network("10.96.0.0/24", null);
        var agent = fx.agent(
                net, null, "192.0.2.20:51820", WireGuardKeys.generateKeyPair().publicKey());
        var device =
                fx.device(net, map("publicKey", WireGuardKeys.generateKeyPair().publicKey()));
        String config = api.get("/api/v1/networks/" + net + "/peers/" + device.id() + "/config")
                .text();
        assertThat(config).contains("PrivateKey = " + WgQuickRenderer.PRIVATE_KEY_PLACEHOLDER);
        try (WireGuardTools wg = new WireGuardTools(tmp)) {
            assertThat(wg.strip(config)).contains("PrivateKey = " + WgQuickRenderer.PRIVATE_KEY_PLACEHOLDER);
        }
        var forAgent = api.get("/api/v1/networks/" + net + "/peers/" + agent.id() + "/config");
        assertThat(forAgent.status()).isEqualTo(409);
        assertThat(api.get("/api/v1/networks/" + net + "/peers/" + UUID.randomUUID() + "/config.png")
                        .status())
                .isEqualTo(404);
    }
}
