package dev.vessel.sample.greeter.api;

/** A greeting and who produced it. */
public final class Greeting {
    private final String message;
    private final String language;
    private final String version;

    public Greeting(String message, String language, String version) {
        this.message = message;
        this.language = language;
        this.version = version;
    }

    public String getMessage() {
        return message;
    }

    public String getLanguage() {
        return language;
    }

    public String getVersion() {
        return version;
    }
}
