import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Starts DynamoDB Local like its own ServerRunner does, with two differences the local stack needs.
 *
 * <ol>
 *   <li>It listens on one address only (system property {@code strongroom.host}, default
 *       127.0.0.1). DynamoDB Local has no option for that and always listens on every interface,
 *       which would expose an unauthenticated database to the network. Its Jetty server is a
 *       private field of DynamoDBProxyServer, so the connector's host is set through reflection
 *       before start; this is tied to the pinned DynamoDB Local version and fails loudly if the
 *       field ever moves.</li>
 *   <li>With {@code -Dstrongroom.exitOnStdinEof=true} it exits as soon as its standard input
 *       closes. The Node parent keeps that pipe open for its whole life, so the JVM goes away even
 *       when the parent is killed with SIGKILL and cannot clean up: no orphaned java processes.</li>
 * </ol>
 *
 * All command-line arguments are DynamoDB Local's own (-port, -inMemory, -dbPath, -sharedDb, …).
 */
public final class LoopbackServerRunner {
  private LoopbackServerRunner() {}

  public static void main(String[] args) throws Exception {
    String host = System.getProperty("strongroom.host", "127.0.0.1");
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Server jetty = jettyServerOf(proxy);
    int bound = 0;
    for (Connector connector : jetty.getConnectors()) {
      if (connector instanceof ServerConnector serverConnector) {
        serverConnector.setHost(host);
        bound++;
      }
    }
    if (bound == 0) {
      throw new IllegalStateException("DynamoDB Local's Jetty server has no ServerConnector to bind to " + host);
    }
    if (Boolean.getBoolean("strongroom.exitOnStdinEof")) {
      exitWhenStdinCloses();
    }
    proxy.start();
    for (Connector connector : jetty.getConnectors()) {
      if (connector instanceof ServerConnector serverConnector) {
        System.out.println("DynamoDB Local listening on " + host + ":" + serverConnector.getLocalPort());
      }
    }
    proxy.join();
  }

  private static Server jettyServerOf(DynamoDBProxyServer proxy) throws ReflectiveOperationException {
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    return (Server) field.get(proxy);
  }

  private static void exitWhenStdinCloses() {
    Thread watchdog = new Thread(() -> {
      InputStream in = System.in;
      byte[] buffer = new byte[256];
      try {
        while (in.read(buffer) != -1) {
          // Nothing is ever written to us; we only wait for end-of-file.
        }
      } catch (IOException ignored) {
        // A broken pipe means the parent is gone, same as end-of-file.
      }
      System.exit(0);
    }, "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }
}
