package dev.vessel.sample.hanging;

import org.osgi.service.component.annotations.Component;

/** The endpoint this release would offer, if its activator ever returned. */
@Component(service = EchoComponent.class, property = "vessel.endpoint=echo")
public class EchoComponent {
    public String echo(String text) {
        return text;
    }
}
