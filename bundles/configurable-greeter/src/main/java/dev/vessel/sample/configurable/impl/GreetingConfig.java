package dev.vessel.sample.configurable.impl;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** What the greeter says, and how: typed, bounded and with options, so there is something to validate. */
@ObjectClassDefinition(name = "Configurable greeter", description = "How the configurable greeter greets")
public @interface GreetingConfig {
    @AttributeDefinition(description = "The word before the name")
    String salutation() default "Hello";

    @AttributeDefinition(description = "How many exclamation marks follow the name", min = "0", max = "5")
    int emphasis() default 1;

    @AttributeDefinition(description = "Letter case of the whole greeting", options = {
            @Option(label = "as written", value = "as-written"), @Option(label = "upper", value = "upper")})
    String style() default "as-written";

    @AttributeDefinition(description = "A secret the greeting never shows", type = AttributeType.PASSWORD,
            required = false)
    String apiKey() default "";
}
