/**
 * Denial-of-service defences (whitepaper §5.3, §5.4.4, §5.4.7): mac1/mac2, the responder's
 * {@link dev.wgmesh.dataplane.cookie.CookieGenerator}, the sender's per-peer
 * {@link dev.wgmesh.dataplane.cookie.CookieChecker} and the per-source
 * {@link dev.wgmesh.dataplane.cookie.HandshakeRateLimiter}.
 */
package dev.wgmesh.dataplane.cookie;
