package com.example.greeter.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.common.testing.Http;
import com.example.common.testing.PrometheusText;
import com.example.greeter.GreeterApplication;
import com.example.greeter.GreeterConfiguration;
import com.example.greeter.GreeterEnvironment;
import com.example.greeter.core.ApiKeyVerifier;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Guessing the key one character at a time must not work: a wrong key that shares all but its last
 * character with the real one is rejected as fast as one that is wrong from the first character, in
 * process and over HTTP, and every rejection is counted where an alert can see it.
 *
 * <p>Timing on a shared 2-core machine is noisy, so the checks compare medians of interleaved
 * batches with generous bounds, and the in-process check first proves it would catch a leak: the
 * same measurement of a naive early-exit comparison shows a many-fold difference.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class BruteForceTimingTest {

  /** Long, so that a comparison leaking the prefix length costs measurably more than noise. */
  static final String LONG_KEY = "k".repeat(4000) + "-end";

  static final DropwizardAppExtension<GreeterConfiguration> APP =
      new DropwizardAppExtension<>(
          GreeterApplication.class,
          ResourceHelpers.resourceFilePath("greeter.yml"),
          GreeterEnvironment.overrides(LONG_KEY, "http://127.0.0.1:9"));

  /** Wrong from the first character. */
  static String wrongAtFirst(String key) {
    return (key.charAt(0) == 'x' ? "y" : "x") + key.substring(1);
  }

  /** Right up to the last character. */
  static String wrongAtLast(String key) {
    char last = key.charAt(key.length() - 1);
    return key.substring(0, key.length() - 1) + (last == 'x' ? 'y' : 'x');
  }

  @Test
  void verifierTakesAsLongForAnyWrongPrefixAndTheMeasurementWouldSeeALeak() {
    ApiKeyVerifier verifier = new ApiKeyVerifier(LONG_KEY);
    List<String> early = List.of(wrongAtFirst(LONG_KEY));
    List<String> late = List.of(wrongAtLast(LONG_KEY));
    byte[] expected = LONG_KEY.getBytes(StandardCharsets.UTF_8);
    byte[] earlyBytes = early.get(0).getBytes(StandardCharsets.UTF_8);
    byte[] lateBytes = late.get(0).getBytes(StandardCharsets.UTF_8);
    Predicate<String> naive =
        given -> naiveEquals(expected, given.equals(early.get(0)) ? earlyBytes : lateBytes);

    double control = ratio(naive, early.get(0), late.get(0));
    double real = ratio(given -> verifier.accepts(List.of(given)), early.get(0), late.get(0));
    ApiKeyVerifier shortVerifier = new ApiKeyVerifier(GreeterEnvironment.API_KEY);
    double realShort =
        ratio(
            given -> shortVerifier.accepts(List.of(given)),
            wrongAtFirst(GreeterEnvironment.API_KEY),
            wrongAtLast(GreeterEnvironment.API_KEY));

    Greeters.figure("timing: naive compare, wrong-at-last / wrong-at-first", control);
    Greeters.figure("timing: ApiKeyVerifier (4 KB key), same ratio", real);
    Greeters.figure("timing: ApiKeyVerifier (32-char key), same ratio", realShort);
    // The leak this guards against shows as the control's ratio (30 to 140 here); a constant-time
    // check stays near 1 (0.99 to 1.01 here). Between 0.5 and 2 leaves room for a busy machine
    // and still tells the two apart by more than an order of magnitude.
    assertThat(control).as("the measurement sees a leaking comparison").isGreaterThan(3);
    assertThat(real).as("wrong-at-last vs wrong-at-first, 4 KB key").isBetween(0.5, 2.0);
    assertThat(realShort).as("wrong-at-last vs wrong-at-first, short key").isBetween(0.5, 2.0);
  }

  @Test
  void overHttpTheResponseTimeDoesNotDependOnThePrefixAndRejectionsAreCounted() {
    String base = "http://127.0.0.1:" + APP.getLocalPort() + "/secret";
    double invalidBefore = authFailures("invalid");
    double missingBefore = authFailures("missing");
    String early = wrongAtFirst(LONG_KEY);
    String late = wrongAtLast(LONG_KEY);
    int rounds = 1200;

    for (int i = 0; i < 200; i++) {
      Http.get(base, "X-API-Key", i % 2 == 0 ? early : late);
    }
    long[] earlyNanos = new long[rounds];
    long[] lateNanos = new long[rounds];
    for (int i = 0; i < rounds; i++) {
      boolean earlyFirst = i % 2 == 0;
      long first = timedRejection(base, earlyFirst ? early : late);
      long second = timedRejection(base, earlyFirst ? late : early);
      earlyNanos[i] = earlyFirst ? first : second;
      lateNanos[i] = earlyFirst ? second : first;
    }
    for (int i = 0; i < 10; i++) {
      assertThat(Http.get(base).statusCode()).isEqualTo(401);
    }

    double earlyMedian = median(earlyNanos) / 1000.0;
    double lateMedian = median(lateNanos) / 1000.0;
    Greeters.figure(
        "timing over HTTP: median µs wrong-at-first, wrong-at-last",
        String.format("%.0f, %.0f", earlyMedian, lateMedian));
    // Over HTTP a byte-wise leak of a 4 KB key (a few µs) drowns in a request's ~1 ms; what this
    // can see is gross extra work for a matching prefix. The byte-wise leak is caught in process.
    assertThat(Math.abs(lateMedian - earlyMedian))
        .as("difference of median latencies (µs)")
        .isLessThan(Math.max(0.5 * earlyMedian, 500));

    int wrongKeys = 200 + 2 * rounds;
    double invalid = awaitAuthFailures("invalid", invalidBefore + wrongKeys);
    double missing = awaitAuthFailures("missing", missingBefore + 10);
    assertThat(invalid - invalidBefore).as("wrong keys counted").isEqualTo(wrongKeys);
    assertThat(missing - missingBefore).as("missing keys counted").isEqualTo(10);
    assertThat(Http.get(base, "X-API-Key", LONG_KEY).statusCode())
        .as("the right key still works")
        .isEqualTo(200);
  }

  private static long timedRejection(String url, String key) {
    long start = System.nanoTime();
    HttpResponse<String> response = Http.get(url, "X-API-Key", key);
    long nanos = System.nanoTime() - start;
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.body()).doesNotContain(GreeterEnvironment.SECRET);
    return nanos;
  }

  private static double authFailures(String reason) {
    String exposition = Http.get("http://127.0.0.1:" + APP.getAdminPort() + "/prometheus").body();
    return PrometheusText.samples(exposition, "greeter_secret_auth_failures_total").stream()
        .filter(s -> reason.equals(s.labels().get("reason")))
        .mapToDouble(PrometheusText.Sample::value)
        .sum();
  }

  /** The counter is bumped as the response leaves: poll briefly for the last ones. */
  private static double awaitAuthFailures(String reason, double expected) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    double value = authFailures(reason);
    while (value < expected && System.nanoTime() < deadline) {
      com.example.common.testing.AppProcess.sleep(50);
      value = authFailures(reason);
    }
    return value;
  }

  /**
   * Median time per call of wrong-at-last over median time per call of wrong-at-first: batches of
   * both, interleaved, after a warm-up, so drift and noise hit both alike.
   */
  static double ratio(Predicate<String> check, String early, String late) {
    int batch = 20;
    int rounds = 300;
    for (int i = 0; i < 3000; i++) {
      check.test(i % 2 == 0 ? early : late);
    }
    long[] earlyNanos = new long[rounds];
    long[] lateNanos = new long[rounds];
    boolean sink = false;
    for (int r = 0; r < rounds; r++) {
      for (int pass = 0; pass < 2; pass++) {
        boolean measureEarly = (r + pass) % 2 == 0;
        String key = measureEarly ? early : late;
        long start = System.nanoTime();
        for (int i = 0; i < batch; i++) {
          sink ^= check.test(key);
        }
        long nanos = System.nanoTime() - start;
        if (measureEarly) {
          earlyNanos[r] = nanos;
        } else {
          lateNanos[r] = nanos;
        }
      }
    }
    assertThat(sink).as("no wrong key accepted").isFalse();
    return median(lateNanos) / Math.max(1.0, median(earlyNanos));
  }

  static double median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /** What constant-time comparison prevents: stops at the first differing byte. */
  static boolean naiveEquals(byte[] expected, byte[] actual) {
    if (actual.length != expected.length) {
      return false;
    }
    for (int i = 0; i < expected.length; i++) {
      if (expected[i] != actual[i]) {
        return false;
      }
    }
    return true;
  }
}
