package dev.vessel.sample.plain;

/** An ordinary library class: this jar is a valid jar but not an OSGi bundle. */
public final class PlainLibrary {
    private PlainLibrary() {}

    public static String hello() {
        return "hello";
    }
}
