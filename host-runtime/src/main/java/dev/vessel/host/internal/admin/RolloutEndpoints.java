package dev.vessel.host.internal.admin;

import dev.vessel.host.internal.container.ContainerTable;
import dev.vessel.host.internal.http.ApiError;
import dev.vessel.host.internal.http.JsonResponses;
import dev.vessel.host.internal.rollout.NodeCalls;
import dev.vessel.host.internal.rollout.RolloutControl;
import dev.vessel.protocol.ErrorCode;
import dev.vessel.protocol.admin.RolloutAction;
import dev.vessel.registry.RegistryLayout;
import dev.vessel.registry.RolloutRecord;
import dev.vessel.registry.Text;
import dev.vessel.registry.internal.RecordJson;
import java.time.Duration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Rollouts under a rule: {@code POST rollouts/{service}} starts one or acts on the one running, {@code GET
 * rollouts/{service}/analysis} shows it (rule, step, every evaluation), and {@code GET calls?service=S&windowMs=W}
 * is what this node counted of a service's calls, which the rollout driver asks every node for.
 */
final class RolloutEndpoints {
    private final RolloutControl control;
    private final ContainerTable containers;

    RolloutEndpoints(RolloutControl control, ContainerTable containers) {
        this.control = control;
        this.containers = containers;
    }

    void change(String service, Request request, Response response, Callback callback) throws Exception {
        RegistryLayout.requireName(service, "service");
        RolloutAction body = AdminRequests.read(request, RolloutAction.class);
        String by = body.by() == null ? "unknown" : Text.requirePrintable(body.by(), "by", Text.MAX_AUTHOR);
        if (body.action() == null) {
            throw ApiError.badRequest("action is required: start, pause, resume, promote or abort");
        }
        try {
            if (body.action().equals("start")) {
                JsonResponses.json(response, callback, 200, RecordJson.write(control.start(service, body, by)));
            } else {
                JsonResponses.json(response, callback, 200, RecordJson.write(control.act(service, body.action(),
                        by)));
            }
        } catch (RolloutControl.Refused e) {
            throw new ApiError(ErrorCode.RULE_REFUSED, e.getMessage());
        } catch (RolloutControl.NotApplicable e) {
            throw new ApiError(ErrorCode.CONFLICT, e.getMessage());
        }
    }

    void analysis(String service, Response response, Callback callback) {
        RegistryLayout.requireName(service, "service");
        RolloutRecord rollout = control.read(service).orElseThrow(() -> new ApiError(ErrorCode.NOT_FOUND, service
                + " has had no rollout under a rule (vessel deploy --rule starts one)"));
        JsonResponses.json(response, callback, 200, RecordJson.write(rollout));
    }

    void calls(String nodeId, Request request, Response response, Callback callback) {
        var query = Request.extractQueryParameters(request);
        String service = query.getValue("service");
        if (service == null) {
            throw ApiError.badRequest("service is required: GET calls?service=S&windowMs=W");
        }
        RegistryLayout.requireName(service, "service");
        String window = query.getValue("windowMs");
        long windowMs;
        try {
            windowMs = window == null ? 60_000 : Long.parseLong(window);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("windowMs must be a number of milliseconds; got " + Text.quote(window));
        }
        if (windowMs < 1 || windowMs > dev.vessel.host.rollout.RolloutRuleReader.MAX_WINDOW.toMillis()) {
            throw ApiError.badRequest("windowMs must be 1-" + dev.vessel.host.rollout.RolloutRuleReader.MAX_WINDOW
                    .toMillis() + "; got " + windowMs);
        }
        JsonResponses.json(response, callback, 200, NodeCalls.of(nodeId, containers, service,
                Duration.ofMillis(windowMs)));
    }
}
