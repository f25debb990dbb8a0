package com.example.greeter.resources;

import com.example.greeter.api.Greeting;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class GreetingResource {

  private final String greeting;
  private final ZoneOffset offset;
  private final Clock clock;

  public GreetingResource(String greeting, ZoneOffset offset, Clock clock) {
    this.greeting = greeting;
    this.offset = offset;
    this.clock = clock;
  }

  @GET
  public Greeting greet() {
    OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(offset);
    return new Greeting(
        greeting,
        DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(now.truncatedTo(ChronoUnit.SECONDS)),
        offset.getId());
  }
}
