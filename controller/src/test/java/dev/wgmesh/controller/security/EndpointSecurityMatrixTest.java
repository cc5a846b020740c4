package dev.wgmesh.controller.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.support.ApiTestClient;
import dev.wgmesh.controller.support.IntegrationTest;
import dev.wgmesh.controller.token.ApiTokenService;
import dev.wgmesh.controller.token.TokenScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webmvc.autoconfigure.error.BasicErrorController;
import org.springframework.context.ApplicationContext;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;

/**
 * Every HTTP endpoint and the status each kind of caller gets. Fails when an endpoint has no row (a new
 * controller method must be classified here) and when a row names no endpoint (stale row).
 *
 * <p>To add an endpoint: add one line to {@link #MATRIX}. Path variables are filled with a random UUID that names
 * nothing ({@code {*rest}} and {@code **} with {@code liveness}); write bodies are {@code {}}. So an ADMIN usually
 * gets 404 (unknown id) or 400 (empty body) on writes, which still proves the request got past security.
 * Callers: anonymous = a browser without session (but with a valid CSRF token, so 401 is about authentication,
 * not CSRF); viewer = a READ token; admin = a WRITE token. Session + CSRF behaviour is covered in
 * {@link LoginAndCsrfIntegrationTest}.
 */
@IntegrationTest
class EndpointSecurityMatrixTest {
    private static final String MATRIX = """
            # method  path                                                  anonymous viewer admin
            POST      /api/v1/auth/login                                    400       400    400
            POST      /api/v1/auth/logout                                   401       204    204
            GET       /api/v1/me                                            401       200    200
            GET       /api/v1/users                                         401       403    200
            POST      /api/v1/users                                         401       403    400
            PUT       /api/v1/users/{id}/role                               401       403    400
            PUT       /api/v1/users/{id}/password                           401       403    400
            DELETE    /api/v1/users/{id}                                    401       403    404
            GET       /api/v1/tokens                                        401       403    200
            POST      /api/v1/tokens                                        401       403    400
            DELETE    /api/v1/tokens/{id}                                   401       403    404
            GET       /api/v1/networks/{networkId}/enrolment-keys           401       404    404
            POST      /api/v1/networks/{networkId}/enrolment-keys           401       403    404
            DELETE    /api/v1/networks/{networkId}/enrolment-keys/{keyId}   401       403    404
            GET       /actuator                                             401       200    200
            GET       /actuator/health                                      200       200    200
            GET       /actuator/health/**                                   200       200    200
            GET       /actuator/info                                        401       200    200
            GET       /actuator/prometheus                                  401       200    200
            #
            # agents, live events, stats (sync-ctl)
            GET       /api/v1/agents                                        401       200    200
            GET       /api/v1/agents/{id}                                   401       404    404
            POST      /api/v1/agents/{id}/revoke                            401       403    404
            GET       /api/v1/events                                        401       400    400
            GET       /api/v1/networks/{networkId}/peers/{peerId}/stats     401       404    404
            GET       /api/v1/networks/{networkId}/peers/{peerId}/stats/latest 401    404    404
            GET       /api/v1/networks/{networkId}/stats/latest             401       404    404
            #
            # meshes and rollouts (mesh)
            POST      /api/v1/networks/{networkId}/meshes                   401       403    404
            GET       /api/v1/networks/{networkId}/meshes                   401       404    404
            GET       /api/v1/networks/{networkId}/meshes/{meshId}          401       404    404
            PUT       /api/v1/networks/{networkId}/meshes/{meshId}          401       403    404
            DELETE    /api/v1/networks/{networkId}/meshes/{meshId}          401       403    404
            POST      /api/v1/networks/{networkId}/meshes/{meshId}/plan     401       403    404
            POST      /api/v1/networks/{networkId}/meshes/{meshId}/links/rotate-key 401 403  404
            GET       /api/v1/rollouts                                      401       400    400
            POST      /api/v1/networks/{networkId}/meshes/{meshId}/rollouts 401       403    404
            GET       /api/v1/networks/{networkId}/meshes/{meshId}/rollouts 401       404    404
            GET       /api/v1/networks/{networkId}/meshes/{meshId}/rollouts/{rolloutId} 401 404 404
            GET       /api/v1/networks/{networkId}/meshes/{meshId}/rollouts/{rolloutId}/events 401 404 404
            GET       /api/v1/networks/{networkId}/meshes/{meshId}/rollouts/{rolloutId}/stream 401 404 404
            POST      /api/v1/networks/{networkId}/meshes/{meshId}/rollouts/{rolloutId}/pause 401 403 404
            POST      /api/v1/networks/{networkId}/meshes/{meshId}/rollouts/{rolloutId}/resume 401 403 404
            POST      /api/v1/networks/{networkId}/meshes/{meshId}/rollouts/{rolloutId}/abort 401 403 404
            POST      /api/v1/networks/{networkId}/meshes/{meshId}/rollouts/{rolloutId}/rollback 401 403 404
            #
            # networks, sites, peers, config export, audit, OpenAPI
            POST      /api/v1/networks                                      401       403    400
            GET       /api/v1/networks                                      401       200    200
            GET       /api/v1/networks/{id}                                 401       404    404
            PUT       /api/v1/networks/{id}                                 401       403    400
            DELETE    /api/v1/networks/{id}                                 401       403    404
            POST      /api/v1/networks/{networkId}/sites                    401       403    400
            GET       /api/v1/networks/{networkId}/sites                    401       404    404
            GET       /api/v1/networks/{networkId}/sites/{siteId}           401       404    404
            PUT       /api/v1/networks/{networkId}/sites/{siteId}           401       403    400
            DELETE    /api/v1/networks/{networkId}/sites/{siteId}           401       403    404
            POST      /api/v1/networks/{networkId}/peers                    401       403    400
            GET       /api/v1/networks/{networkId}/peers                    401       404    404
            GET       /api/v1/networks/{networkId}/peers/{peerId}           401       404    404
            PUT       /api/v1/networks/{networkId}/peers/{peerId}           401       403    404
            DELETE    /api/v1/networks/{networkId}/peers/{peerId}           401       403    404
            GET       /api/v1/networks/{networkId}/peers/{peerId}/config    401       404    404
            GET       /api/v1/networks/{networkId}/peers/{peerId}/config.png 401       404    404
            GET       /api/v1/networks/{networkId}/peers/{peerId}/config.svg 401       404    404
            GET       /api/v1/audit                                         401       200    200
            GET       /v3/api-docs                                          401       200    200
            GET       /v3/api-docs.yaml                                     401       200    200
            GET       /v3/api-docs/swagger-config                           401       200    200
            GET       /swagger-ui.html                                      401       302    302
            """;

    private static final String SAMPLE_ID = "00000000-0000-4000-8000-00000000abcd";

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    @Autowired
    ApiTokenService tokens;

    ApiTestClient anonymous;
    ApiTestClient viewer;
    ApiTestClient admin;

    record Row(String method, String path, int anonymous, int viewer, int admin) {
        String key() {
            return method + " " + path;
        }
    }

    @BeforeEach
    void callers() {
        anonymous = ApiTestClient.anonymous(port);
        anonymous.get("/api/v1/me"); // picks up the XSRF-TOKEN cookie
        viewer = ApiTestClient.withBearer(
                port,
                tokens.create("matrix-viewer", TokenScope.READ, null, "test").secret());
        admin = ApiTestClient.withBearer(
                port,
                tokens.create("matrix-admin", TokenScope.WRITE, null, "test").secret());
    }

    @Test
    void everyEndpointHasARowAndEveryRowAnEndpoint() {
        Set<String> discovered = discoverEndpoints();
        Set<String> listed = new TreeSet<>(rows().keySet());
        Set<String> missing = new TreeSet<>(discovered);
        missing.removeAll(listed);
        Set<String> stale = new TreeSet<>(listed);
        stale.removeAll(discovered);
        assertThat(missing)
                .as("endpoints without a row in EndpointSecurityMatrixTest.MATRIX (add one line each)")
                .isEmpty();
        assertThat(stale).as("rows in MATRIX for endpoints that do not exist").isEmpty();
    }

    @Test
    void everyCallerGetsTheExpectedStatus() {
        List<String> mismatches = new ArrayList<>();
        for (Row row : rows().values()) {
            String path = concrete(row.path());
            check(mismatches, row, "anonymous", anonymous, path, row.anonymous());
            check(mismatches, row, "viewer", viewer, path, row.viewer());
            check(mismatches, row, "admin", admin, path, row.admin());
        }
        assertThat(mismatches).as("method path caller: expected -> actual").isEmpty();
    }

    private static void check(List<String> out, Row row, String who, ApiTestClient client, String path, int want) {
        String method = row.method().equals("ANY") ? "GET" : row.method();
        String body = method.equals("GET") || method.equals("DELETE") ? null : "{}";
        var response = client.send(method, path, body);
        if (response.statusCode() != want) {
            out.add(row.key() + " " + who + ": " + want + " -> " + response.statusCode() + " "
                    + abbreviate(response.body()));
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 160 ? s.substring(0, 160) + "..." : s;
    }

    private static String concrete(String template) {
        return template.replaceAll("\\{\\*[^}]+}", "liveness")
                .replace("**", "liveness")
                .replaceAll("\\{[^}]+}", SAMPLE_ID);
    }

    static Map<String, Row> rows() {
        Map<String, Row> rows = new TreeMap<>();
        for (String line : MATRIX.lines().toList()) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] f = t.split("\\s+");
            if (f.length != 5) {
                throw new IllegalArgumentException("MATRIX row needs 5 columns: " + line);
            }
            Row row = new Row(f[0], f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]), Integer.parseInt(f[4]));
            if (rows.put(row.key(), row) != null) {
                throw new IllegalArgumentException("duplicate MATRIX row: " + row.key());
            }
        }
        return rows;
    }

    /** "METHOD /pattern" for every request mapping (controllers and actuator), except Boot's error page. */
    private Set<String> discoverEndpoints() {
        Set<String> endpoints = new TreeSet<>();
        for (RequestMappingInfoHandlerMapping mapping :
                context.getBeansOfType(RequestMappingInfoHandlerMapping.class).values()) {
            for (Map.Entry<RequestMappingInfo, HandlerMethod> e :
                    mapping.getHandlerMethods().entrySet()) {
                if (BasicErrorController.class.isAssignableFrom(e.getValue().getBeanType())) {
                    continue; // the container's error page, reached only by error dispatch
                }
                RequestMappingInfo info = e.getKey();
                Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
                for (String pattern : info.getPatternValues()) {
                    if (methods.isEmpty()) {
                        endpoints.add("ANY " + pattern);
                    }
                    for (RequestMethod m : methods) {
                        endpoints.add(m.name() + " " + pattern);
                    }
                }
            }
        }
        return endpoints;
    }
}
