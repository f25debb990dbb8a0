package com.example.common.errors;

import io.dropwizard.core.setup.Environment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * Jetty's own error responses (malformed requests, oversized headers, servlet errors outside
 * Jersey) as {@code {"code","message"}} JSON, the shape Jersey's errors already have, instead of
 * Jetty's HTML page. The message is the standard reason phrase: nothing from the request.
 */
public final class JsonErrorHandler extends ErrorHandler {

  private static final HttpField JSON =
      new HttpField(HttpHeader.CONTENT_TYPE, "application/json;charset=utf-8");

  /** Installs the handler on both servlet contexts and on the server itself. */
  public static void install(Environment environment) {
    environment.getApplicationContext().setErrorHandler(new JsonErrorHandler());
    environment.getAdminContext().setErrorHandler(new JsonErrorHandler());
    environment
        .lifecycle()
        .addEventListener(
            new LifeCycle.Listener() {
              @Override
              public void lifeCycleStarting(LifeCycle component) {
                if (component instanceof Server server) {
                  server.setErrorHandler(new JsonErrorHandler());
                }
              }
            });
  }

  /** Every method gets a body; Jetty's default leaves unknown methods with an empty one. */
  @Override
  public boolean errorPageForMethod(String method) {
    return true;
  }

  static String body(int code) {
    String reason = HttpStatus.getMessage(code);
    return "{\"code\":" + code + ",\"message\":\"" + reason.replace("\"", "'") + "\"}";
  }

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback) {
    response.getHeaders().put(JSON);
    response.write(true, ByteBuffer.wrap(body(code).getBytes(StandardCharsets.UTF_8)), callback);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(JSON);
    return ByteBuffer.wrap(body(status).getBytes(StandardCharsets.UTF_8));
  }
}
