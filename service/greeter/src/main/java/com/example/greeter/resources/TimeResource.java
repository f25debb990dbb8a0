package com.example.greeter.resources;

import com.example.greeter.api.ZoneTime;
import com.example.greeter.client.TimezonesClient;
import com.example.greeter.client.TraceHeaders;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.regex.Pattern;

/** {@code GET /time?zone=Area/City}: the time in a zone, asked of timezones. */
@Path("/time")
@Produces(MediaType.APPLICATION_JSON)
public class TimeResource {

  /**
   * Zone ids are a few path segments of letters, digits, {@code _ + -}: nothing else is sent on.
   */
  private static final Pattern ZONE_ID =
      Pattern.compile("[A-Za-z][A-Za-z0-9_+-]{0,29}(/[A-Za-z0-9][A-Za-z0-9_+-]{0,29}){0,3}");

  private final TimezonesClient timezones;

  public TimeResource(TimezonesClient timezones) {
    this.timezones = timezones;
  }

  @GET
  public ZoneTime time(@QueryParam("zone") String zone, @Context HttpHeaders headers) {
    if (zone == null || zone.isEmpty()) {
      throw new BadRequestException("query parameter 'zone' is required, e.g. ?zone=Asia/Kolkata");
    }
    if (!ZONE_ID.matcher(zone).matches()) {
      throw new BadRequestException("'zone' must be a time zone id such as Asia/Kolkata");
    }
    return timezones
        .timeIn(zone, TraceHeaders.from(headers::getHeaderString))
        .orElseThrow(() -> new NotFoundException("unknown time zone"));
  }
}
