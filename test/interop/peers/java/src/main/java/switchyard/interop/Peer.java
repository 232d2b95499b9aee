// socket.io-client-java as an interop test peer of switchyard (client role only: the project
// has no server). Driven by test/interop: JSON commands, one per line on stdin; everything the
// peer sees is printed as one JSON object per line on stdout; binary travels as {"$b64": "..."}.
//
// Fixed behaviour (the same in every peer): an event received with an ack request is answered
// with the arguments it carried; an event named "slow" is answered after args[0] milliseconds.
package switchyard.interop;

import io.socket.client.Ack;
import io.socket.client.AckWithTimeout;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

public final class Peer {
  private static final String IMPL = "socket.io-client-java";
  private static final Map<String, Socket> CLIENTS = new ConcurrentHashMap<>();
  private static final ScheduledExecutorService LATER = Executors.newSingleThreadScheduledExecutor();

  private Peer() {}

  public static void main(String[] argv) throws Exception {
    if (argv.length != 1 || !argv[0].equals("client")) {
      System.err.println("usage: Peer client");
      System.exit(2);
    }
    out(fields("ev", "ready", "impl", IMPL, "version", libraryVersion(), "role", "client"));
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) continue;
      JSONObject command = new JSONObject(line);
      if (command.optString("op").equals("exit")) break;
      try {
        handle(command);
      } catch (Exception error) {
        reply(command.optString("req"), null, error.toString());
      }
    }
    for (Socket socket : CLIENTS.values()) socket.disconnect();
    LATER.shutdownNow();
    System.exit(0);
  }

  /** The version in the library jar's Maven metadata. */
  private static String libraryVersion() throws java.io.IOException {
    java.util.Properties properties = new java.util.Properties();
    try (java.io.InputStream in = Socket.class.getResourceAsStream(
        "/META-INF/maven/io.socket/socket.io-client/pom.properties")) {
      if (in == null) return "unknown";
      properties.load(in);
    }
    return properties.getProperty("version", "unknown");
  }

  private static void handle(JSONObject command) throws Exception {
    String op = command.getString("op");
    String req = command.optString("req");
    if (op.equals("connect")) {
      connect(command, req);
      return;
    }
    Socket socket = CLIENTS.get(command.getString("id"));
    if (socket == null) throw new IllegalStateException("no client " + command.optString("id"));
    switch (op) {
      case "emit": {
        Object[] args = fromWireArgs(command.optJSONArray("args"));
        if (!command.has("timeoutMs")) {
          socket.emit(command.getString("name"), args);
          reply(req, new Object[0], null);
          return;
        }
        socket.emit(command.getString("name"), args, new AckWithTimeout(command.getLong("timeoutMs")) {
          @Override
          public void onSuccess(Object... response) {
            reply(req, response, null);
          }

          @Override
          public void onTimeout() {
            reply(req, null, "timeout");
          }
        });
        return;
      }
      case "disconnect":
        socket.disconnect();
        reply(req, new Object[0], null);
        return;
      default:
        throw new IllegalArgumentException("unknown op " + op);
    }
  }

  private static void connect(JSONObject command, String req) throws Exception {
    String id = command.getString("id");
    String nsp = command.has("nsp") ? command.getString("nsp") : "/";
    IO.Options options = IO.Options.builder()
        .setForceNew(true)
        .setReconnection(command.optBoolean("reconnection", true))
        .setReconnectionDelay(100)
        .setReconnectionDelayMax(500)
        .setRandomizationFactor(0)
        .setTimeout(15000)
        .build();
    JSONArray transports = command.optJSONArray("transports");
    if (transports != null) {
      String[] names = new String[transports.length()];
      for (int i = 0; i < names.length; i++) names[i] = transports.getString(i);
      options.transports = names;
    }
    JSONObject auth = command.optJSONObject("auth");
    if (auth != null) {
      Map<String, String> map = new HashMap<>();
      for (Iterator<?> keys = auth.keys(); keys.hasNext(); ) {
        String key = (String) keys.next();
        map.put(key, auth.getString(key));
      }
      options.auth = map;
    }
    Socket socket = IO.socket(URI.create(command.getString("url") + nsp), options);
    CLIENTS.put(id, socket);
    AtomicBoolean replied = new AtomicBoolean(false);
    socket.on(Socket.EVENT_CONNECT, args -> {
      out(fields("ev", "connect", "id", id, "nsp", nsp, "sid", socket.id()));
      if (replied.compareAndSet(false, true)) reply(req, new Object[] {socket.id()}, null);
    });
    socket.on(Socket.EVENT_CONNECT_ERROR, args -> {
      Object[] data = Arrays.stream(args).map(Peer::describe).toArray();
      out(fields("ev", "connect_error", "id", id, "nsp", nsp, "data", data));
      if (replied.compareAndSet(false, true)) {
        reply(req, null, "connect_error: " + Arrays.toString(data));
      }
    });
    socket.on(Socket.EVENT_DISCONNECT, args -> out(fields("ev", "disconnect", "id", id, "nsp", nsp,
        "reason", new Object[] {args.length > 0 ? args[0] : null})));
    socket.onAnyIncoming(all -> {
      String name = String.valueOf(all[0]);
      Ack ack = all.length > 1 && all[all.length - 1] instanceof Ack ? (Ack) all[all.length - 1] : null;
      Object[] args = Arrays.copyOfRange(all, 1, ack == null ? all.length : all.length - 1);
      out(fields("ev", "event", "id", id, "nsp", nsp, "name", name, "args", args));
      if (ack == null) return;
      long delay = name.equals("slow") && args.length > 0 && args[0] instanceof Number
          ? ((Number) args[0]).longValue() : 0;
      LATER.schedule(() -> ack.call(args), delay, TimeUnit.MILLISECONDS);
    });
    socket.connect();
  }

  /** A connect_error argument as the test reads it: the server's object, else the message. */
  private static Object describe(Object value) {
    if (value instanceof JSONObject) return value;
    if (value instanceof Throwable) return ((Throwable) value).getMessage();
    return String.valueOf(value);
  }

  private static void reply(String req, Object[] args, String error) {
    if (error != null) out(fields("ev", "reply", "req", req, "ok", false, "error", error));
    else out(fields("ev", "reply", "req", req, "ok", true, "args", args));
  }

  private static Map<String, Object> fields(Object... pairs) {
    Map<String, Object> map = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) map.put((String) pairs[i], pairs[i + 1]);
    return map;
  }

  private static synchronized void out(Map<String, Object> fields) {
    try {
      System.out.println(toWire(fields).toString());
      System.out.flush();
    } catch (JSONException error) {
      System.out.println("{\"ev\":\"peer-error\",\"error\":" + JSONObject.quote(error.toString()) + "}");
    }
  }

  /** Received values as JSON (binary as {"$b64"}). */
  private static Object toWire(Object value) throws JSONException {
    if (value == null) return JSONObject.NULL;
    if (value instanceof byte[]) {
      return new JSONObject().put("$b64", Base64.getEncoder().encodeToString((byte[]) value));
    }
    if (value instanceof Object[]) {
      JSONArray array = new JSONArray();
      for (Object item : (Object[]) value) array.put(toWire(item));
      return array;
    }
    if (value instanceof Map) {
      JSONObject object = new JSONObject();
      for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
        object.put(String.valueOf(entry.getKey()), toWire(entry.getValue()));
      }
      return object;
    }
    if (value instanceof JSONArray) {
      JSONArray source = (JSONArray) value;
      JSONArray array = new JSONArray();
      for (int i = 0; i < source.length(); i++) array.put(toWire(source.get(i)));
      return array;
    }
    if (value instanceof JSONObject) {
      JSONObject source = (JSONObject) value;
      JSONObject object = new JSONObject();
      for (Iterator<?> keys = source.keys(); keys.hasNext(); ) {
        String key = (String) keys.next();
        object.put(key, toWire(source.get(key)));
      }
      return object;
    }
    return value;
  }

  private static Object[] fromWireArgs(JSONArray args) throws JSONException {
    if (args == null) return new Object[0];
    Object[] plain = new Object[args.length()];
    for (int i = 0; i < plain.length; i++) plain[i] = fromWire(args.get(i));
    return plain;
  }

  /** Command values as the library sends them ({"$b64"} as byte[]). */
  private static Object fromWire(Object value) throws JSONException {
    if (value instanceof JSONObject) {
      JSONObject source = (JSONObject) value;
      if (source.length() == 1 && source.has("$b64")) {
        return Base64.getDecoder().decode(source.getString("$b64"));
      }
      JSONObject object = new JSONObject();
      for (Iterator<?> keys = source.keys(); keys.hasNext(); ) {
        String key = (String) keys.next();
        object.put(key, fromWire(source.get(key)));
      }
      return object;
    }
    if (value instanceof JSONArray) {
      JSONArray source = (JSONArray) value;
      JSONArray array = new JSONArray();
      for (int i = 0; i < source.length(); i++) array.put(fromWire(source.get(i)));
      return array;
    }
    return value;
  }
}
