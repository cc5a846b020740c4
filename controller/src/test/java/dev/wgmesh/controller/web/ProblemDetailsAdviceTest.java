package dev.wgmesh.controller.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.http.ProblemDetail;

class ProblemDetailsAdviceTest {
    private final ProblemDetailsAdvice advice = new ProblemDetailsAdvice();

    @Test
    void unexpectedErrorsRevealNothing() throws Exception {
        ProblemDetail p = advice.unexpected(new IllegalStateException("SELECT secret FROM internals"));
        assertThat(p.getStatus()).isEqualTo(500);
        assertThat(p.getDetail()).doesNotContain("secret").doesNotContain("internals");
        assertThat(p.getTitle()).isEqualTo("Internal error");
    }

    /** Stand-in for Spring Security's AccessDeniedException (same package prefix, no dependency needed). */
    @Test
    void securityExceptionsAreLeftToTheSecurityFilters() {
        Exception denied = new org.springframework.security.FakeAccessDenied();
        assertThatThrownBy(() -> advice.unexpected(denied)).isSameAs(denied);
    }
}
