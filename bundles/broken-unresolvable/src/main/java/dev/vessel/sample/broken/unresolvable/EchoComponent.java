package dev.vessel.sample.broken.unresolvable;

import org.osgi.service.component.annotations.Component;

/** The endpoint this release would offer, if the bundle could resolve. */
@Component(service = EchoComponent.class, property = "vessel.endpoint=echo")
public class EchoComponent {
    public String echo(String text) {
        return text;
    }
}
