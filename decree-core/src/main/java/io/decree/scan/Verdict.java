package io.decree.scan;

import com.fasterxml.jackson.annotation.JsonValue;

public enum Verdict {
    TROJANED, CLEAN;

    @JsonValue
    public String json() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** A trigger that reaches the similarity target with a mask below the threshold betrays a backdoor. */
    public static Verdict of(boolean targetReached, double pl1, double threshold) {
        return targetReached && pl1 < threshold ? TROJANED : CLEAN;
    }
}
