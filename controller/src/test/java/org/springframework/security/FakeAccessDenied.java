package org.springframework.security;

/** Test double named like a Spring Security exception (see ProblemDetailsAdviceTest). */
public class FakeAccessDenied extends RuntimeException {
    public FakeAccessDenied() {
        super("denied");
    }
}
