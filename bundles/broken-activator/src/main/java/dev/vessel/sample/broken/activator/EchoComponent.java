package dev.vessel.sample.broken.activator;

import org.osgi.service.component.annotations.Component;

/** The endpoint this release would offer, if its activator let it start. */
@Component(service = EchoComponent.class, property = "vessel.endpoint=echo")
public class EchoComponent {
    public String echo(String text) {
        return text;
    }
}
