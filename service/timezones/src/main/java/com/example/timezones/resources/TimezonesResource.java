package com.example.timezones.resources;

import com.example.timezones.api.ZoneSummary;
import com.example.timezones.api.ZoneTime;
import com.example.timezones.core.ZoneCatalog;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

@Path("/timezones")
@Produces(MediaType.APPLICATION_JSON)
public class TimezonesResource {

  private final ZoneCatalog catalog;

  public TimezonesResource(ZoneCatalog catalog) {
    this.catalog = catalog;
  }

  @GET
  public List<ZoneSummary> list(
      @QueryParam("prefix")
          @DefaultValue("")
          @Size(max = 64, message = "must be at most 64 characters")
          String prefix) {
    return catalog.list(prefix);
  }

  /** Zone ids contain slashes ({@code America/Argentina/Buenos_Aires}): the template takes them. */
  @GET
  @Path("{zone: .+}")
  public ZoneTime zone(@PathParam("zone") String zone) {
    return catalog.timeIn(zone).orElseThrow(() -> new NotFoundException("unknown time zone"));
  }
}
