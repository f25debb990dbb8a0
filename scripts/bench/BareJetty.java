import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * The benchmark's floor: the Jetty that greeter embeds, answering every request with fixed bytes
 * and nothing else (no servlets, Jersey, filters, metrics or logs). Run with greeter's jar on the
 * class path: java -cp greeter.jar BareJetty.java PORT BODY
 */
public final class BareJetty {
  public static void main(String[] args) throws Exception {
    // Logback without a configuration logs everything at DEBUG: that would be the floor's cost.
    ((ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    int port = Integer.parseInt(args[0]);
    ByteBuffer body = ByteBuffer.wrap(args[1].getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(
        new Handler.Abstract.NonBlocking() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, body.slice(), callback);
            return true;
          }
        });
    server.start();
    server.join();
  }
}
