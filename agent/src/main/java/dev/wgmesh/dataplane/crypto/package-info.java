/**
 * WireGuard's primitives (whitepaper §5.4 "Cryptographic primitives"): {@link dev.wgmesh.dataplane.crypto.Blake2s}
 * (HASH, keyed MAC, HMAC), {@link dev.wgmesh.dataplane.crypto.Kdf}, {@link dev.wgmesh.dataplane.crypto.X25519}
 * (BouncyCastle), {@link dev.wgmesh.dataplane.crypto.ChaChaPoly} (the JDK's ChaCha20 with our
 * {@link dev.wgmesh.dataplane.crypto.Poly1305}, or the JDK's whole AEAD where its Poly1305 has intrinsics; in place)
 * and
 * {@link dev.wgmesh.dataplane.crypto.XChaChaPoly}, plus key codecs, wiping, constant-time comparison and TAI64N.
 * Each is tested against published vectors.
 */
package dev.wgmesh.dataplane.crypto;
