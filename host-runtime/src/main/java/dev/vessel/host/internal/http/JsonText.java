package dev.vessel.host.internal.http;

import com.fasterxml.jackson.core.JsonProcessingException;

/** What a Jackson failure says about the input, without Jackson's note of where the input came from. */
final class JsonText {
    private JsonText() {}

    /** {@code " at line L, column C: what"}, or {@code ": what"} when Jackson knows no location. */
    static String withoutSource(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr();
        return where + ": " + (message == null ? "" : message.replaceAll("\\s*\\(start marker at \\[Source:.*", "")
                .replaceAll("\\s*at \\[Source:.*", ""));
    }
}
