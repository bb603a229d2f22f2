package io.decree.store;

import io.minio.BucketExistsArgs;
import io.minio.DownloadObjectArgs;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.UploadObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one bucket decree uses, with its layout: {@code encoders/<sha256>.pt} (+ {@code .json} input spec) for models,
 * {@code scans/<scan id>/} for evidence. Works against MinIO, S3 and S3Proxy alike.
 */
public final class ObjectStore {
    public static final String ENCODERS = "encoders/";

    private final MinioClient client;
    private final String bucket;

    public ObjectStore(String endpoint, String accessKey, String secretKey, String bucket) {
        this.client = MinioClient.builder().endpoint(endpoint).credentials(accessKey, secretKey).build();
        this.bucket = bucket;
    }

    /**
     * The store the services configure with {@code decree.s3.endpoint}, {@code .access-key}, {@code .secret-key} and
     * {@code .bucket}; {@code setting} looks a key up (e.g. in MicroProfile Config) and fails if it is missing.
     */
    public static ObjectStore fromSettings(java.util.function.Function<String, String> setting) {
        return new ObjectStore(setting.apply("decree.s3.endpoint"), setting.apply("decree.s3.access-key"),
                setting.apply("decree.s3.secret-key"), setting.apply("decree.s3.bucket"));
    }

    public String bucket() {
        return bucket;
    }

    public static String modelKey(String sha256) {
        return ENCODERS + sha256 + ".pt";
    }

    public static String specKey(String sha256) {
        return ENCODERS + sha256 + ".json";
    }

    /** Creates the bucket if it is not there (idempotent; safe when several services start at once). */
    public void ensureBucket() {
        call(() -> {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                try {
                    client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
                } catch (ErrorResponseException e) {
                    String code = e.errorResponse().code();
                    if (!"BucketAlreadyOwnedByYou".equals(code) && !"BucketAlreadyExists".equals(code)) {
                        throw e;
                    }
                }
            }
            return null;
        });
    }

    public Optional<StatObjectResponse> stat(String key) {
        return call(() -> {
            try {
                return Optional.of(client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build()));
            } catch (ErrorResponseException e) {
                if ("NoSuchKey".equals(e.errorResponse().code()) || "NoSuchObject".equals(e.errorResponse().code())) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    public boolean exists(String key) {
        return stat(key).isPresent();
    }

    public void upload(String key, Path file, String contentType, Map<String, String> metadata) {
        call(() -> client.uploadObject(UploadObjectArgs.builder().bucket(bucket).object(key).filename(file.toString())
                .contentType(contentType).userMetadata(metadata).build()));
    }

    public void putText(String key, String text, String contentType) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        call(() -> client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                .stream(new ByteArrayInputStream(bytes), bytes.length, -1).contentType(contentType).build()));
    }

    public String getText(String key) {
        return call(() -> {
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        });
    }

    public InputStream open(String key) {
        return call(() -> client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build()));
    }

    public void download(String key, Path file) {
        call(() -> {
            Files.deleteIfExists(file);
            client.downloadObject(DownloadObjectArgs.builder().bucket(bucket).object(key).filename(file.toString()).build());
            return null;
        });
    }

    /** Every object under a prefix, recursively: key and size. */
    public List<Item> list(String prefix) {
        return call(() -> {
            List<Item> items = new ArrayList<>();
            for (Result<Item> r : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix).recursive(true).build())) {
                items.add(r.get());
            }
            return items;
        });
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws Exception;
    }

    private <T> T call(Call<T> c) {
        try {
            return c.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new StoreException("object store " + bucket + ": " + e.getMessage(), e);
        }
    }

    /** The store could not be reached or refused a request: retryable from the caller's point of view. */
    public static final class StoreException extends RuntimeException {
        StoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
