package io.decree.arch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a TorchScript archive of one flat module (its tensors and its TorchScript source) without PyTorch, so that
 * an architecture can be made on a machine that has only the JVM and libtorch. The layout is the one
 * {@code torch.jit.save} writes and libtorch's importer reads:
 * <pre>
 *   NAME/version            the file-format version ("4", as PyTorch 1.13 writes)
 *   NAME/code/__torch__.py  the class: its attributes, __parameters__, __buffers__ and forward
 *   NAME/data.pkl           pickle (protocol 2) of the module object: GLOBAL '__torch__ Class', NEWOBJ, then BUILD
 *                           with a dict of attribute -> value; a tensor is torch._utils._rebuild_tensor_v2 of a
 *                           persistent storage ('storage', torch.FloatStorage, key, 'cpu', numel)
 *   NAME/data/KEY           each storage's bytes, float32 little-endian
 *   NAME/constants.pkl      the code's tensor constants: none, an empty tuple
 * </pre>
 * Entries are stored uncompressed, as PyTorch writes them, with a fixed time (reproducible bytes).
 */
public final class TorchScriptArchive {

    /** A float32 tensor attribute, contiguous, of the given shape. */
    public record Tensor(float[] data, long[] shape, boolean requiresGrad) {
        public Tensor {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException("shape has " + n + " elements, data " + data.length);
            }
        }
    }

    private final String className;
    private final String code;
    private final Map<String, Object> attributes = new LinkedHashMap<>();

    /**
     * @param className the class in {@code code} (module {@code __torch__})
     * @param code      the TorchScript source of {@code code/__torch__.py}
     */
    public TorchScriptArchive(String className, String code) {
        this.className = className;
        this.code = code;
    }

    /** Adds an attribute: a {@link Tensor} or a Boolean, in the order the class declares them. */
    public TorchScriptArchive with(String name, Object value) {
        if (!(value instanceof Tensor) && !(value instanceof Boolean)) {
            throw new IllegalArgumentException(name + ": only tensors and booleans are written, not " + value);
        }
        attributes.put(name, value);
        return this;
    }

    public void write(Path file, String archiveName) throws IOException {
        List<Tensor> storages = new ArrayList<>();
        byte[] pickle = modulePickle(storages);
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            String root = archiveName + "/";
            stored(zip, root + "data.pkl", pickle);
            stored(zip, root + "code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
            stored(zip, root + "constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            for (int i = 0; i < storages.size(); i++) {
                float[] d = storages.get(i).data();
                ByteBuffer b = ByteBuffer.allocate(d.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(d);
                stored(zip, root + "data/" + i, b.array());
            }
            stored(zip, root + "version", "4\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static void stored(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        // A fixed time: the same architecture and seed give the same bytes, so the same SHA-256 (and scan key).
        e.setTimeLocal(java.time.LocalDateTime.of(1980, 1, 1, 0, 0));
        e.setSize(bytes.length);
        e.setCompressedSize(bytes.length);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(bytes);
        zip.closeEntry();
    }

    private byte[] modulePickle(List<Tensor> storages) throws IOException {
        Pickle p = new Pickle();
        p.proto();
        p.global("__torch__", className);
        p.op(')');          // EMPTY_TUPLE
        p.op(0x81);         // NEWOBJ
        p.op('}');          // EMPTY_DICT
        p.op('(');          // MARK
        for (Map.Entry<String, Object> a : attributes.entrySet()) {
            p.unicode(a.getKey());
            if (a.getValue() instanceof Boolean b) {
                p.op(b ? 0x88 : 0x89); // NEWTRUE / NEWFALSE
            } else {
                Tensor t = (Tensor) a.getValue();
                int key = storages.size();
                storages.add(t);
                p.global("torch._utils", "_rebuild_tensor_v2");
                p.op('(');
                p.op('(');
                p.unicode("storage");
                p.global("torch", "FloatStorage");
                p.unicode(String.valueOf(key));
                p.unicode("cpu");
                p.integer(t.data().length);
                p.op('t');  // TUPLE
                p.op('Q');  // BINPERSID
                p.integer(0); // storage offset
                p.longs(t.shape());
                p.longs(strides(t.shape()));
                p.op(t.requiresGrad() ? 0x88 : 0x89);
                p.global("collections", "OrderedDict");
                p.op(')');
                p.op('R');  // REDUCE: OrderedDict() (backward hooks)
                p.op('t');
                p.op('R');  // REDUCE: _rebuild_tensor_v2(...)
            }
        }
        p.op('u');          // SETITEMS
        p.op('b');          // BUILD
        p.op('.');          // STOP
        return p.bytes();
    }

    private static long[] strides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** The few pickle opcodes of protocol 2 that a module's state needs. */
    private static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void proto() {
            out.write(0x80);
            out.write(2);
        }

        void op(int code) {
            out.write(code);
        }

        void global(String module, String name) throws IOException {
            out.write('c');
            out.write((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        }

        void unicode(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.write('X');
            le32(out, b.length);
            out.write(b);
        }

        void integer(long v) {
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("integer out of BININT range: " + v);
            }
            out.write('J');
            le32(out, (int) v);
        }

        void longs(long[] values) {
            out.write('(');
            for (long v : values) {
                integer(v);
            }
            out.write('t');
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private static void le32(OutputStream o, int v) {
            try {
                o.write(v & 0xff);
                o.write((v >>> 8) & 0xff);
                o.write((v >>> 16) & 0xff);
                o.write((v >>> 24) & 0xff);
            } catch (IOException e) {
                throw new IllegalStateException(e); // a ByteArrayOutputStream does not throw
            }
        }
    }
}
