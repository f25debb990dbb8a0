package com.example.greeter.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Checks an {@code X-API-Key} in constant time: both sides are hashed to fixed-length digests and
 * compared with {@link MessageDigest#isEqual}, so neither the position of the first wrong character
 * nor the key's length shows in the response time.
 */
public final class ApiKeyVerifier {

  private final byte[] expectedDigest;

  public ApiKeyVerifier(String expectedKey) {
    this.expectedDigest = sha256(expectedKey);
  }

  /** Exactly one key header, matching. A repeated header is ambiguous and rejected. */
  public boolean accepts(List<String> headerValues) {
    if (headerValues == null || headerValues.size() != 1) {
      return false;
    }
    return MessageDigest.isEqual(expectedDigest, sha256(headerValues.get(0)));
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
