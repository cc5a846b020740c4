package dev.wgmesh.controller.support;

import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP client that behaves like the dashboard SPA (cookie jar; echoes the XSRF-TOKEN cookie in X-XSRF-TOKEN on
 * writes) or like a script (bearer token, no cookies sent back on purpose).
 */
public final class ApiTestClient {
    private final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
    private final HttpClient client;
    private final String base;
    private final String bearer;
    private boolean sendCsrfHeader = true;
    private final Map<String, String> extraHeaders = new LinkedHashMap<>();

    private ApiTestClient(int port, String bearer) {
        this.base = "http://127.0.0.1:" + port;
        this.bearer = bearer;
        this.client = HttpClient.newBuilder()
                .cookieHandler(cookies)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** A browser-like client without a session yet. */
    public static ApiTestClient anonymous(int port) {
        return new ApiTestClient(port, null);
    }

    /** A script-like client presenting {@code Authorization: Bearer <token>}. */
    public static ApiTestClient withBearer(int port, String token) {
        return new ApiTestClient(port, token);
    }

    /** A browser-like client logged in as the {@link TestAdmin}. */
    public static ApiTestClient loggedInAsAdmin(int port) {
        return loggedIn(port, TestAdmin.USERNAME, TestAdmin.PASSWORD);
    }

    public static ApiTestClient loggedIn(int port, String username, String password) {
        ApiTestClient c = anonymous(port);
        HttpResponse<String> r = c.login(username, password);
        if (r.statusCode() != 200) {
            throw new IllegalStateException("login as " + username + " failed: " + r.statusCode() + " " + r.body());
        }
        return c;
    }

    /**
     * Logs in as the {@link TestAdmin} and creates a WRITE API token: the secret, for clients that only need to
     * send {@code Authorization: Bearer <secret>} (acts as ADMIN, no cookies or CSRF).
     */
    public static String adminBearerToken(int port) {
        ApiTestClient admin = loggedInAsAdmin(port);
        HttpResponse<String> r =
                admin.post("/api/v1/tokens", "{\"name\":\"test-admin-" + UUID.randomUUID() + "\",\"scope\":\"WRITE\"}");
        Matcher m = Pattern.compile("\"secret\":\"(wgm_[^\"]+)\"").matcher(r.body());
        if (r.statusCode() != 201 || !m.find()) {
            throw new IllegalStateException("token creation failed: " + r.statusCode() + " " + r.body());
        }
        return m.group(1);
    }

    /** Stops echoing the CSRF token, to test the protection. */
    public ApiTestClient withoutCsrfHeader() {
        sendCsrfHeader = false;
        return this;
    }

    /** Adds a header to every later request. */
    public ApiTestClient withHeader(String name, String value) {
        extraHeaders.put(name, value);
        return this;
    }

    public HttpResponse<String> login(String username, String password) {
        return send(
                "POST",
                "/api/v1/auth/login",
                "{\"username\":" + json(username) + ",\"password\":" + json(password) + "}");
    }

    public HttpResponse<String> get(String path) {
        return send("GET", path, null);
    }

    public HttpResponse<String> post(String path, String jsonBody) {
        return send("POST", path, jsonBody);
    }

    public HttpResponse<String> put(String path, String jsonBody) {
        return send("PUT", path, jsonBody);
    }

    public HttpResponse<String> delete(String path) {
        return send("DELETE", path, null);
    }

    /** Any method; a non-null body is sent as application/json. */
    public HttpResponse<String> send(String method, String path, String jsonBody) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(15));
        b.method(
                method,
                jsonBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(jsonBody));
        if (jsonBody != null) {
            b.header("Content-Type", "application/json");
        }
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        if (sendCsrfHeader) {
            cookie("XSRF-TOKEN").ifPresent(token -> b.header("X-XSRF-TOKEN", token));
        }
        extraHeaders.forEach(b::header);
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException ex) {
            throw new IllegalStateException(method + " " + path + " failed", ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " " + path + " interrupted", ex);
        }
    }

    public Optional<String> cookie(String name) {
        return cookies.getCookieStore().getCookies().stream()
                .filter(c -> c.getName().equals(name))
                .map(HttpCookie::getValue)
                .findFirst();
    }

    public static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
