package dev.wgmesh.controller.security;

import dev.wgmesh.controller.token.ApiTokenService;
import jakarta.servlet.DispatcherType;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.security.web.csrf.CsrfTokenRepository;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * Who may call what. The rules, first match wins:
 *
 * <pre>
 *   public         POST /api/v1/auth/login, /actuator/health/**, dashboard static files, error dispatches
 *   ADMIN only     /api/v1/users/**, /api/v1/tokens/** (any method)
 *   authenticated  GET/HEAD anything else (API, /actuator/prometheus, /v3/api-docs/**, /swagger-ui/**)
 *                  POST /api/v1/auth/logout
 *   ADMIN only     every other method (a VIEWER gets 403 on any write)
 * </pre>
 *
 * <p>Callers authenticate with the dashboard session cookie (CSRF-protected, token in the readable XSRF-TOKEN
 * cookie, echoed in X-XSRF-TOKEN) or with {@code Authorization: Bearer wgm_...} (stateless, CSRF-exempt).
 * 401 and 403 from here are problem+json.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {
    private static final String[] DASHBOARD_FILES = {
        "/", "/index.html", "/assets/**", "/favicon.ico", "/favicon.svg", "/vite.svg", "/robots.txt"
    };

    @Bean
    PasswordEncoder passwordEncoder() {
        // {bcrypt} by default; the prefix in each stored hash lets us move to argon2 later without a migration.
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    /**
     * No Micrometer observation around each security filter, authentication and authorization: with an observation
     * registry present (actuator), Spring Security otherwise wraps every filter of the chain in its own observation
     * on every request, which profiling showed as a visible share of a REST call's CPU. Requests are still timed as
     * a whole ({@code http.server.requests}).
     */
    @Bean
    SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    @Bean
    AuthenticationManager passwordAuthenticationManager(UserDetailsService users, PasswordEncoder encoder) {
        DaoAuthenticationProvider provider = new DaoAuthenticationProvider(users);
        provider.setPasswordEncoder(encoder);
        return new ProviderManager(provider);
    }

    @Bean
    CsrfTokenRepository csrfTokenRepository() {
        CookieCsrfTokenRepository repository = CookieCsrfTokenRepository.withHttpOnlyFalse();
        repository.setCookiePath("/");
        repository.setCookieCustomizer(cookie -> cookie.sameSite("Lax"));
        return repository;
    }

    @Bean
    SecurityFilterChain securityFilterChain(
            HttpSecurity http, ApiTokenService tokens, UserDetailsService users, CsrfTokenRepository csrfTokens)
            throws Exception {
        ProblemAuthenticationEntryPoint entryPoint = new ProblemAuthenticationEntryPoint();
        http.authorizeHttpRequests(rules -> rules.dispatcherTypeMatchers(DispatcherType.ERROR, DispatcherType.FORWARD)
                        .permitAll()
                        .requestMatchers("/error")
                        .permitAll()
                        .requestMatchers(HttpMethod.POST, "/api/v1/auth/login")
                        .permitAll()
                        .requestMatchers("/actuator/health", "/actuator/health/**")
                        .permitAll()
                        .requestMatchers(HttpMethod.GET, DASHBOARD_FILES)
                        .permitAll()
                        .requestMatchers("/api/v1/users", "/api/v1/users/**", "/api/v1/tokens", "/api/v1/tokens/**")
                        .hasRole("ADMIN")
                        .requestMatchers(HttpMethod.POST, "/api/v1/auth/logout")
                        .authenticated()
                        .requestMatchers(HttpMethod.GET, "/**")
                        .authenticated()
                        .requestMatchers(HttpMethod.HEAD, "/**")
                        .authenticated()
                        .anyRequest()
                        .hasRole("ADMIN"))
                .csrf(csrf -> csrf.csrfTokenRequestHandler(new SpaCsrfTokenRequestHandler())
                        .csrfTokenRepository(csrfTokens)
                        .ignoringRequestMatchers(BearerTokenAuthenticationFilter.BEARER_REQUEST)
                        .ignoringRequestMatchers(PathPatternRequestMatcher.withDefaults()
                                .matcher(HttpMethod.POST, "/api/v1/auth/login")))
                .addFilterAfter(new CsrfCookieFilter(), CsrfFilter.class)
                .addFilterBefore(
                        new BearerTokenAuthenticationFilter(tokens, entryPoint), AnonymousAuthenticationFilter.class)
                .addFilterBefore(new SessionUserRevalidationFilter(users), AnonymousAuthenticationFilter.class)
                .exceptionHandling(errors -> errors.authenticationEntryPoint(entryPoint)
                        .accessDeniedHandler(new ProblemAccessDeniedHandler()))
                // No saved-request redirects: an anonymous API call must not create a session.
                .requestCache(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable);
        return http.build();
    }
}
