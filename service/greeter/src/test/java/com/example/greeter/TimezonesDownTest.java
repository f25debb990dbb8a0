package com.example.greeter;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.common.testing.AppProcess;
import com.example.common.testing.Http;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** greeter with nothing listening where timezones should be. */
@ExtendWith(DropwizardExtensionsSupport.class)
class TimezonesDownTest {

  /**
   * Long, so that a refused connection answered only after a timeout (instead of at once) takes
   * twice the 5 s the test allows; a refusal itself takes milliseconds.
   */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

  static final DropwizardAppExtension<GreeterConfiguration> APP =
      new DropwizardAppExtension<>(
          GreeterApplication.class,
          ResourceHelpers.resourceFilePath("greeter.yml"),
          GreeterEnvironment.overrides(
              GreeterEnvironment.API_KEY,
              "http://127.0.0.1:" + AppProcess.freePort(),
              ConfigOverride.config("timezones.timeout", READ_TIMEOUT.toMillis() + "ms")));

  @Test
  void timeIsA503AtOnceAndTheRestOfTheApiStillWorks() {
    long start = System.nanoTime();
    HttpResponse<String> time =
        Http.get("http://127.0.0.1:" + APP.getLocalPort() + "/time?zone=UTC");

    assertThat(time.statusCode()).isEqualTo(503);
    assertThat(time.body())
        .isEqualTo("{\"code\":503,\"message\":\"timezones is unavailable, try again later\"}");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(Http.get("http://127.0.0.1:" + APP.getLocalPort() + "/").statusCode())
        .isEqualTo(200);
  }

  @Test
  void readinessStaysUpButTheHealthcheckReportsTimezones() {
    String admin = "http://127.0.0.1:" + APP.getAdminPort();

    assertThat(Http.get(admin + "/ready").statusCode()).isEqualTo(200);
    HttpResponse<String> health = Http.get(admin + "/healthcheck");
    assertThat(health.statusCode()).isEqualTo(500);
    assertThat(health.body()).contains("\"timezones\":{\"healthy\":false");
  }
}
