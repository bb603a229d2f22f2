package io.decree.store;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * {@code decree.s3.*}: the bucket of every service. The dev and test addresses and credentials are in this module's
 * {@code META-INF/microprofile-config.properties}, nothing in the base profile: a production start without
 * {@code DECREE_S3_ENDPOINT}, {@code DECREE_S3_ACCESS_KEY} and {@code DECREE_S3_SECRET_KEY} fails, naming them.
 */
@ConfigMapping(prefix = "decree.s3")
public interface S3Settings {
    String endpoint();

    String accessKey();

    String secretKey();

    @WithDefault("decree")
    String bucket();
}
