package io.decree.report;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code decree.rescan.*}: rescans of old verdicts when a worker of another detector joins ({@link DetectorRescans}). */
@ConfigMapping(prefix = "decree.rescan")
public interface RescanSettings {
    /** Off: a new detector judges new uploads only; old verdicts stay until an admin asks for rescans. */
    @WithDefault("true")
    boolean enabled();

    /**
     * Rescans requested and not yet answered, at most. Requests share the queue with uploads, so an upload waits behind
     * at most this many rescans: 1 keeps new uploads first in line while a backlog of any size is worked off.
     */
    @WithDefault("1")
    int maxInFlight();

    /** A request unanswered this long (its result lost) no longer holds a place, so the backlog moves on. */
    @WithDefault("3h")
    Duration answerTimeout();
}
