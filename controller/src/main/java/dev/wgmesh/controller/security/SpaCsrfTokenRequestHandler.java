package dev.wgmesh.controller.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.function.Supplier;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.security.web.csrf.CsrfTokenRequestHandler;
import org.springframework.security.web.csrf.XorCsrfTokenRequestAttributeHandler;
import org.springframework.util.StringUtils;

/**
 * Spring Security's single-page-app CSRF handling ({@code csrf().spa()}: BREACH-masked token in the request
 * attribute, plain token accepted from the {@code X-XSRF-TOKEN} header), except that a bearer-token request is left
 * alone. Such a request is exempt from CSRF checks anyway; the stock handler still resolved the deferred token for
 * it, which for a cookie-less script means generating a random token and adding a {@code Set-Cookie} to every
 * response, a visible share of a REST call's CPU.
 */
final class SpaCsrfTokenRequestHandler implements CsrfTokenRequestHandler {
    private final CsrfTokenRequestAttributeHandler plain = new CsrfTokenRequestAttributeHandler();
    private final XorCsrfTokenRequestAttributeHandler xor = new XorCsrfTokenRequestAttributeHandler();

    SpaCsrfTokenRequestHandler() {
        xor.setCsrfRequestAttributeName(null); // as csrf().spa(): also under the token's parameter name
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, Supplier<CsrfToken> csrfToken) {
        if (BearerTokenAuthenticationFilter.bearerValue(request) == null) {
            xor.handle(request, response, csrfToken);
        }
    }

    @Override
    public String resolveCsrfTokenValue(HttpServletRequest request, CsrfToken csrfToken) {
        String header = request.getHeader(csrfToken.getHeaderName());
        return (StringUtils.hasText(header) ? plain : xor).resolveCsrfTokenValue(request, csrfToken);
    }
}
