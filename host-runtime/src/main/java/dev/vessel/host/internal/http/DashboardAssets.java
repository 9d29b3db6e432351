package dev.vessel.host.internal.http;

import dev.vessel.protocol.ErrorCode;
import dev.vessel.registry.Text;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code /ui/}: the dashboard's page, script and style sheet, read once from the jar. They hold no data and need
 * no token; the page asks the node's admin API for everything it shows, with the token the user gives it.
 * Nothing is fetched from anywhere else, and the content security policy says so to the browser.
 */
final class DashboardAssets implements Request.Handler {
    static final String ROOT = "/ui";
    private static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

    private record Asset(byte[] bytes, String type, String etag) {}

    private final Map<String, Asset> assets = Map.of(
            "/ui/", load("index.html", "text/html; charset=utf-8"),
            "/ui/app.js", load("app.js", "text/javascript; charset=utf-8"),
            "/ui/app.css", load("app.css", "text/css; charset=utf-8"));

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            JsonResponses.error(response, callback, ErrorCode.METHOD_NOT_ALLOWED, "the dashboard's files are only read");
            return true;
        }
        if (path.equals(ROOT)) {
            response.setStatus(301);
            response.getHeaders().put(HttpHeader.LOCATION, ROOT + "/");
            response.write(true, null, callback);
            return true;
        }
        Asset asset = assets.get(path);
        if (asset == null) {
            JsonResponses.error(response, callback, ErrorCode.NOT_FOUND, "no such resource: " + Text.quote(path));
            return true;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, asset.type());
        response.getHeaders().put(HttpHeader.ETAG, asset.etag());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        response.getHeaders().put("Content-Security-Policy", POLICY);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        if (asset.etag().equals(request.getHeaders().get(HttpHeader.IF_NONE_MATCH))) {
            response.setStatus(304);
            response.write(true, null, callback);
            return true;
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, asset.bytes().length);
        response.write(true, HttpMethod.HEAD.is(request.getMethod()) ? null : ByteBuffer.wrap(asset.bytes()),
                callback);
        return true;
    }

    private static Asset load(String name, String type) {
        try (InputStream in = DashboardAssets.class.getResourceAsStream("/dev/vessel/host/ui/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard's " + name + " is missing from the jar");
            }
            byte[] bytes = in.readAllBytes();
            String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8)
                    + "\"";
            return new Asset(bytes, type, etag);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
