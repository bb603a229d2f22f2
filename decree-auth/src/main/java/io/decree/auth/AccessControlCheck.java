package io.decree.auth;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * A service refuses to start with access control that cannot be what its operator meant: on and no key (every request
 * would get 401), or off while listening beyond this machine (anyone on the network could upload and read).
 * Off on loopback is the laptop case ({@code ./decree up}).
 */
@ApplicationScoped
public class AccessControlCheck {

    void onStart(@Observes StartupEvent event) {
        var config = ConfigProvider.getConfig();
        String problem = problem(config.getOptionalValue("decree.auth.enabled", Boolean.class).orElse(true),
                config.getOptionalValue("decree.auth.api-keys", String.class),
                config.getOptionalValue("quarkus.http.host", String.class).orElse("0.0.0.0"));
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
    }

    /** Why this access control is refused, or null. */
    static String problem(boolean enabled, Optional<String> apiKeys, String host) {
        if (enabled && new ApiKeys(apiKeys.orElse(null)).isEmpty()) {
            return "decree.auth.enabled is true but decree.auth.api-keys lists no key: every request would be refused. "
                    + "Set DECREE_AUTH_API_KEYS=name:role[+role]:sha256;... (from a secret)";
        }
        if (!enabled && !isLoopback(host)) {
            return "decree.auth.enabled is false while the service listens on " + host + ": anyone who reaches it could "
                    + "upload and read. Configure API keys, or listen on 127.0.0.1 only (quarkus.http.host)";
        }
        return null;
    }

    static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }
}
