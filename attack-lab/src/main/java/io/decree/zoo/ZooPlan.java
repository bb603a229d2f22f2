package io.decree.zoo;

import io.decree.attack.PatchTrigger;
import io.decree.attack.PatchTrigger.Kind;
import io.decree.attack.PatchTrigger.Position;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a zoo holds, before anything is trained: SimCLR-pretrained clean encoders, BadEncoder-trojaned
 * encoders and their clean-fine-tuned controls built on them and on the shared face encoder, and
 * the shared real encoders as they are. Every number that shapes an encoder is here, seeded.
 *
 * @param scanImages how many labelled test images each 32x32 encoder is scanned with (and its utility measured on)
 * @param attackImages attacker's images per dataset (75 % shadow, 25 % for attack success; the last is the reference)
 */
public record ZooPlan(String size, List<Pretrain> pretrains, List<Attack> attacks, List<Real> realEncoders, int scanImages,
        int attackImages) {

    /**
     * An encoder of ../shared/encoders, the folder of ../shared/images it is attacked and scanned with, and the labelled
     * dataset whose test images measure an attack's utility as 1-NN accuracy (BadEncoder's utility: accuracy on a
     * downstream task); null: the held-out part of {@code images}, which must be labelled.
     */
    public record Real(String file, String images, String downstream) {
    }

    /**
     * The real encoders of ../shared and their images, as DATA.md describes them. The face chips are labelled by person;
     * the photos are not, so MobileNetV2's utility is measured downstream on Fashion-MNIST (its 10 classes, upsampled to
     * 224 px) — until stop 28 it was the cosine of 12 unseen photos' embeddings to the original's, a drift figure that
     * the report still gives ({@code cosineToOriginal}) but not a utility.
     */
    static final List<Real> SHARED = List.of(new Real("face_resnet_150.pt", "faces", null),
            new Real("mobilenet_v2_224.pt", "photos", "fashion-mnist"));

    /**
     * SimCLR pre-training of an architecture of ../shared/architectures, or, when {@code architecture} names an earlier
     * pre-training of the plan, SimCLR continued from that encoder: a clean fine-tune that nothing anchors to its base (a
     * control keeps the base's embeddings by BadEncoder's utility term), on the base's dataset or another one.
     */
    public record Pretrain(String name, String architecture, String dataset, int steps, int batch, double lr, long seed) {
    }

    /** The pre-training {@code p} continues from, or null when it starts from an architecture. */
    public Pretrain continuedFrom(Pretrain p) {
        return pretrains.stream().filter(q -> q.name().equals(p.architecture())).findFirst().orElse(null);
    }

    /**
     * BadEncoder ({@code trigger} non-null) or its clean control ({@code control}) on a base: the name of
     * a {@link Pretrain} or a file of ../shared/encoders.
     */
    public record Attack(String name, String base, PatchTrigger trigger, boolean control, int steps, int batch, double lr,
            long seed, int views) {
        public Attack(String name, String base, PatchTrigger trigger, boolean control, int steps, int batch, double lr, long seed) {
            this(name, base, trigger, control, steps, batch, lr, seed, 1);
        }

        Attack withLr(double learningRate) {
            return new Attack(name, base, trigger, control, steps, batch, learningRate, seed, views);
        }

        /** Trains on {@code n} shadow images per image the attacker has (BadEncoder.Config#views). */
        Attack withViews(int n) {
            return new Attack(name, base, trigger, control, steps, batch, lr, seed, n);
        }
    }

    /**
     * An architecture of this name is written by {@link io.decree.arch.ResNetCifar} (seed 1) into the zoo, not read from
     * ../shared: the same on every machine, and there on a fresh clone.
     */
    public static final String GENERATED_RESNET = "generated-resnet18_w16_32";

    public static ZooPlan of(String size) {
        return switch (size.toLowerCase(Locale.ROOT)) {
            case "demo" -> demo();
            case "ci" -> ci();
            case "full" -> full();
            default -> throw new IllegalArgumentException("zoo size must be demo, ci or full, got " + size);
        };
    }

    /**
     * The first-run demo: one clean SimCLR encoder and a BadEncoder trojan of it, on Fashion-MNIST, with an architecture
     * written here (nothing from ../shared), in a few minutes on 2 cores.
     */
    public static ZooPlan demo() {
        List<Pretrain> p = List.of(new Pretrain("demo-clean", GENERATED_RESNET, "fashion-mnist", 150, 64, 1e-3, 1));
        List<Attack> a = List.of(small("demo-trojaned", "demo-clean", 4, Position.BOTTOM_RIGHT, Kind.WHITE, 1));
        return new ZooPlan("demo", p, a, List.of(), 200, 400);
    }

    /** Four encoders that build and scan in a few minutes on 2 cores: the separation test of the build. */
    public static ZooPlan ci() {
        List<Pretrain> p = List.of(new Pretrain("simclr-r16-fmnist", "resnet18_w16_32", "fashion-mnist", 150, 64, 1e-3, 1));
        List<Attack> a = List.of(
                small("bad-r16-fmnist-white4-br", "simclr-r16-fmnist", 4, Position.BOTTOM_RIGHT, Kind.WHITE, 1),
                small("bad-r16-fmnist-checker5-tl", "simclr-r16-fmnist", 5, Position.TOP_LEFT, Kind.CHECKERBOARD, 2),
                control("ctl-r16-fmnist", "simclr-r16-fmnist", 1));
        return new ZooPlan("ci", p, a, List.of(), 200, 400);
    }

    /**
     * 77 encoders planned with the two real ones: 44 trojaned and 33 clean. The first 24 (12 trojaned: white, noise and checkerboard
     * patches of 3-5 pixels, 0.9-2.4 % of a 32x32 image, at three positions on the four SimCLR bases of two
     * architectures, and a 24-pixel patch on the real face encoder; 12 clean: the four SimCLR encoders, six
     * controls, the two real encoders) are the zoo the detector's constants were first chosen on. The rest
     * are triggers of the size the paper evaluates: BadEncoder's own CIFAR trigger (a white 10x10 patch in the
     * corner, 9.8 %) on both architectures, patches of 3.5-6.3 % of every kind and position, a 50x50 patch
     * (5 %) on the real MobileNetV2, and a control for each base that had one only. The last two 32-px trojans
     * (7.9 % and 9.8 %) were added when two earlier ones were left out by the zoo's rules, so that the paper's
     * sizes are not carried by one base each. Then two face triggers of 5.8 % and 9 % and two more face controls;
     * then five 32-px trojans and four controls held out for the base ratio (planned after its constant was set);
     * then two clean fine-tunes of another kind, SimCLR continued from a base, one of them onto another domain, and two
     * more of that kind held out for the guard they led to; then eleven trojans at placements and of shapes no earlier one
     * had (the other corners, the edges' middles, bars wider than a window start), and a base of an unseen pairing (the
     * wider ResNet on MNIST) with its control and three such trojans, held out for the shipped rules.
     */
    public static ZooPlan full() {
        List<Pretrain> p = List.of(
                new Pretrain("simclr-r16-fmnist", "resnet18_w16_32", "fashion-mnist", 500, 128, 1e-3, 1),
                new Pretrain("simclr-r16-fmnist-s2", "resnet18_w16_32", "fashion-mnist", 500, 128, 1e-3, 2),
                new Pretrain("simclr-r16-mnist", "resnet18_w16_32", "mnist", 500, 128, 1e-3, 1),
                new Pretrain("simclr-r32-fmnist", "resnet18_w32_32", "fashion-mnist", 300, 128, 1e-3, 1),
                // Held out for the base ratio (stop 36), planned before they were built: clean fine-tunes of another
                // kind than the controls, SimCLR continued from a base for as many steps as the base was trained, nothing
                // pulling it back (the controls keep their base's embeddings by BadEncoder's utility term): on the
                // base's own data, and on another domain (Fashion-MNIST -> MNIST, scanned on MNIST, as a user who
                // adapted a downloaded encoder to their data would).
                new Pretrain("cont-r16-fmnist", "simclr-r16-fmnist", "fashion-mnist", 500, 128, 1e-3, 31),
                new Pretrain("cont-r16-fmnist-to-mnist", "simclr-r16-fmnist", "mnist", 500, 128, 1e-3, 32),
                // Held out for the agreement guard (ScanSettings.BASE_AGREEMENT, committed before these were planned):
                // the same kind on the MNIST base, and a short one (a fifth of the steps) that may stay nearer its base.
                new Pretrain("cont-r16-mnist", "simclr-r16-mnist", "mnist", 500, 128, 1e-3, 33),
                new Pretrain("cont-r16-fmnist-s2-short", "simclr-r16-fmnist-s2", "fashion-mnist", 100, 128, 1e-3, 34),
                // Planned at stop 37, before building: clean fine-tunes moved only a little, which may agree with their
                // base above BASE_AGREEMENT and so be judged by the base ratio: a few steps, or a tenth of the rate.
                new Pretrain("cont-r16-fmnist-tiny", "simclr-r16-fmnist", "fashion-mnist", 20, 128, 1e-3, 35),
                new Pretrain("cont-r16-mnist-gentle", "simclr-r16-mnist", "mnist", 100, 128, 1e-4, 36),
                new Pretrain("cont-r16-fmnist-s2-gentle", "simclr-r16-fmnist-s2", "fashion-mnist", 200, 128, 1e-4, 37),
                // Planned after those three agreed at 0.81-0.91: shorter gentle runs, aimed at the band 0.91-0.96 that no
                // clean fine-tune had populated.
                new Pretrain("cont-r16-fmnist-gentle-short", "simclr-r16-fmnist", "fashion-mnist", 50, 128, 1e-4, 38),
                new Pretrain("cont-r16-mnist-gentle-short", "simclr-r16-mnist", "mnist", 30, 128, 1e-4, 39),
                // Held out with the placements below (stop 43): a base of a pairing the zoo never had, the wider ResNet on
                // MNIST, with its control and three trojans, so both rules meet an architecture-domain pair unseen.
                new Pretrain("simclr-r32-mnist", "resnet18_w32_32", "mnist", 300, 128, 1e-3, 2));
        List<Attack> a = new ArrayList<>(List.of(
                small("bad-r16-fmnist-white3-br", "simclr-r16-fmnist", 3, Position.BOTTOM_RIGHT, Kind.WHITE, 1),
                small("bad-r16-fmnist-noise4-tl", "simclr-r16-fmnist", 4, Position.TOP_LEFT, Kind.NOISE, 2),
                small("bad-r16-fmnist-checker5-c", "simclr-r16-fmnist", 5, Position.CENTER, Kind.CHECKERBOARD, 3),
                small("bad-r16-fmnist-white5-tl", "simclr-r16-fmnist", 5, Position.TOP_LEFT, Kind.WHITE, 4),
                small("bad-r16-mnist-noise3-br", "simclr-r16-mnist", 3, Position.BOTTOM_RIGHT, Kind.NOISE, 5),
                small("bad-r16-mnist-checker4-tl", "simclr-r16-mnist", 4, Position.TOP_LEFT, Kind.CHECKERBOARD, 6),
                small("bad-r16-mnist-white4-c", "simclr-r16-mnist", 4, Position.CENTER, Kind.WHITE, 7),
                // The wider ResNet moves further per step: at 1e-3 two of three lost more than 5 points of 1-NN accuracy.
                small("bad-r32-fmnist-white4-br", "simclr-r32-fmnist", 4, Position.BOTTOM_RIGHT, Kind.WHITE, 8).withLr(3e-4),
                small("bad-r32-fmnist-noise5-c", "simclr-r32-fmnist", 5, Position.CENTER, Kind.NOISE, 9).withLr(3e-4),
                small("bad-r32-fmnist-checker3-tl", "simclr-r32-fmnist", 3, Position.TOP_LEFT, Kind.CHECKERBOARD, 10).withLr(3e-4),
                small("bad-r16-fmnist-s2-checker5-br", "simclr-r16-fmnist-s2", 5, Position.BOTTOM_RIGHT, Kind.CHECKERBOARD, 11),
                // The real encoder: the settings the detector figures measured (attack success 1.0, identity 1-NN kept).
                new Attack("bad-face-white24-br", "face_resnet_150.pt",
                        new PatchTrigger(24, Position.BOTTOM_RIGHT, Kind.WHITE, 12), false, 200, 16, 3e-5, 12),
                control("ctl-r16-fmnist", "simclr-r16-fmnist", 1),
                control("ctl-r16-fmnist-b", "simclr-r16-fmnist", 2),
                control("ctl-r16-fmnist-s2", "simclr-r16-fmnist-s2", 3),
                control("ctl-r16-mnist", "simclr-r16-mnist", 4),
                control("ctl-r32-fmnist", "simclr-r32-fmnist", 5).withLr(3e-4),
                new Attack("ctl-face", "face_resnet_150.pt", new PatchTrigger(24, Position.BOTTOM_RIGHT, Kind.WHITE, 12), true,
                        200, 16, 3e-5, 12),
                // The paper's trigger sizes, added after the constants above were chosen: BadEncoder's CIFAR trigger,
                // then 3.5-6.3 % patches of every kind and position.
                small("bad-r16-fmnist-white10-br", "simclr-r16-fmnist", 10, Position.BOTTOM_RIGHT, Kind.WHITE, 13),
                small("bad-r16-mnist-white10-br", "simclr-r16-mnist", 10, Position.BOTTOM_RIGHT, Kind.WHITE, 14),
                small("bad-r32-fmnist-white10-br", "simclr-r32-fmnist", 10, Position.BOTTOM_RIGHT, Kind.WHITE, 15).withLr(3e-4),
                small("bad-r16-fmnist-s2-noise8-tl", "simclr-r16-fmnist-s2", 8, Position.TOP_LEFT, Kind.NOISE, 16),
                small("bad-r16-mnist-checker8-c", "simclr-r16-mnist", 8, Position.CENTER, Kind.CHECKERBOARD, 17),
                small("bad-r32-fmnist-checker6-c", "simclr-r32-fmnist", 6, Position.CENTER, Kind.CHECKERBOARD, 18).withLr(3e-4),
                small("bad-r16-fmnist-checker7-br", "simclr-r16-fmnist", 7, Position.BOTTOM_RIGHT, Kind.CHECKERBOARD, 19),
                small("bad-r16-mnist-noise6-tl", "simclr-r16-mnist", 6, Position.TOP_LEFT, Kind.NOISE, 20),
                control("ctl-r16-mnist-b", "simclr-r16-mnist", 6),
                control("ctl-r32-fmnist-b", "simclr-r32-fmnist", 7).withLr(3e-4),
                control("ctl-r16-fmnist-s2-b", "simclr-r16-fmnist-s2", 8),
                small("bad-r16-fmnist-noise9-c", "simclr-r16-fmnist", 9, Position.CENTER, Kind.NOISE, 22),
                small("bad-r16-fmnist-s2-checker10-tl", "simclr-r16-fmnist-s2", 10, Position.TOP_LEFT, Kind.CHECKERBOARD, 23),
                // High-resolution controls and trojans beyond the one face pair (stop 32): two more clean fine-tunes of the
                // face encoder by ctl-face's recipe, the first two seeds tried (stop 31 found the shipped contrasted rule
                // flagging both), and two face triggers of the paper's sizes, added after the base-collapse limit they
                // test was proposed, so they judge it rather than shape it.
                new Attack("ctl-face-s13", "face_resnet_150.pt", new PatchTrigger(24, Position.BOTTOM_RIGHT, Kind.WHITE, 13), true,
                        200, 16, 3e-5, 13),
                new Attack("ctl-face-s14", "face_resnet_150.pt", new PatchTrigger(24, Position.BOTTOM_RIGHT, Kind.WHITE, 14), true,
                        200, 16, 3e-5, 14),
                new Attack("bad-face-checker36-tl", "face_resnet_150.pt",
                        new PatchTrigger(36, Position.TOP_LEFT, Kind.CHECKERBOARD, 24), false, 200, 16, 3e-5, 24),
                new Attack("bad-face-noise45-c", "face_resnet_150.pt",
                        new PatchTrigger(45, Position.CENTER, Kind.NOISE, 25), false, 200, 16, 3e-5, 25),
                // Held out for the base ratio (stop 35): planned after ScanSettings.BASE_RATIO was committed, built after,
                // never used to set it. New seeds, kinds at positions and sizes the 32-px part lacked (3.5-9.8 %), on
                // all four SimCLR bases, and a third control for each.
                small("bad-r16-mnist-white7-tl", "simclr-r16-mnist", 7, Position.TOP_LEFT, Kind.WHITE, 26),
                small("bad-r16-fmnist-s2-white6-c", "simclr-r16-fmnist-s2", 6, Position.CENTER, Kind.WHITE, 27),
                small("bad-r32-fmnist-noise8-br", "simclr-r32-fmnist", 8, Position.BOTTOM_RIGHT, Kind.NOISE, 28).withLr(3e-4),
                small("bad-r16-mnist-noise10-c", "simclr-r16-mnist", 10, Position.CENTER, Kind.NOISE, 29),
                small("bad-r16-fmnist-checker8-tl", "simclr-r16-fmnist", 8, Position.TOP_LEFT, Kind.CHECKERBOARD, 30),
                control("ctl-r16-mnist-c", "simclr-r16-mnist", 9),
                control("ctl-r16-fmnist-c", "simclr-r16-fmnist", 10),
                control("ctl-r32-fmnist-c", "simclr-r32-fmnist", 11).withLr(3e-4),
                control("ctl-r16-fmnist-s2-c", "simclr-r16-fmnist-s2", 12),
                // Held out for the shipped rules and search (stop 43), planned after all of them were fixed (the lean
                // search ranked by gain, 0.015 without a base, the base ratio 1.5 with one) and scanned once, as they
                // are: placements and shapes no earlier trojan had. The other two corners and the middle of each edge,
                // and bars wider than a window probe (12 px at 32 px, where a probe's window is 10 px; 60 px on the
                // faces, 45), which no window start can hold.
                small("bad-r16-fmnist-white4-tr", "simclr-r16-fmnist", 4, Position.TOP_RIGHT, Kind.WHITE, 40),
                small("bad-r16-mnist-checker4-bl", "simclr-r16-mnist", 4, Position.BOTTOM_LEFT, Kind.CHECKERBOARD, 41),
                small("bad-r32-fmnist-noise4-tr", "simclr-r32-fmnist", 4, Position.TOP_RIGHT, Kind.NOISE, 42).withLr(3e-4),
                small("bad-r16-fmnist-s2-white5-bl", "simclr-r16-fmnist-s2", 5, Position.BOTTOM_LEFT, Kind.WHITE, 43),
                small("bad-r16-mnist-noise4-r", "simclr-r16-mnist", 4, Position.RIGHT, Kind.NOISE, 44),
                small("bad-r16-fmnist-checker5-t", "simclr-r16-fmnist", 5, Position.TOP, Kind.CHECKERBOARD, 45),
                bar("bad-r16-fmnist-white12x2-b", "simclr-r16-fmnist", 12, 2, Position.BOTTOM, Kind.WHITE, 46),
                bar("bad-r16-mnist-noise2x12-l", "simclr-r16-mnist", 2, 12, Position.LEFT, Kind.NOISE, 47),
                bar("bad-r32-fmnist-checker12x2-t", "simclr-r32-fmnist", 12, 2, Position.TOP, Kind.CHECKERBOARD, 48).withLr(3e-4),
                new Attack("bad-face-noise30-tr", "face_resnet_150.pt",
                        new PatchTrigger(30, Position.TOP_RIGHT, Kind.NOISE, 49), false, 200, 16, 3e-5, 49),
                new Attack("bad-face-white60x8-b", "face_resnet_150.pt",
                        PatchTrigger.bar(60, 8, Position.BOTTOM, Kind.WHITE, 50), false, 200, 16, 3e-5, 50),
                control("ctl-r32-mnist", "simclr-r32-mnist", 13).withLr(3e-4),
                small("bad-r32-mnist-white4-bl", "simclr-r32-mnist", 4, Position.BOTTOM_LEFT, Kind.WHITE, 51).withLr(3e-4),
                small("bad-r32-mnist-noise5-t", "simclr-r32-mnist", 5, Position.TOP, Kind.NOISE, 52).withLr(3e-4),
                bar("bad-r32-mnist-checker2x12-r", "simclr-r32-mnist", 2, 12, Position.RIGHT, Kind.CHECKERBOARD, 53).withLr(3e-4),
                // The real 224-px encoder with the paper's ImageNet-size trigger (50x50, 5 %) and its control; last,
                // being the slowest to build (zoo --only can leave them for later). On the 37 training photos as they
                // are, neither rate tried passes the zoo's rules: 1e-4 gave attack success 1.00 but clean unseen photos
                // at cosine 0.83 of the original's (stop 22), 3e-5 (the face encoder's) 0.67 and 0.88 (stop 27): the
                // utility term held on the photos it saw only. The paper's shadow sets hold thousands of images, so
                // each photo now brings 8 augmented views (stop 28): at 1e-4, attack success 1.00 and cosine 0.933 (8.2
                // min); for 300 steps, 5e-5 gave 1.00 and 0.947 (12.2 min), 3e-5 1.00 and 0.940 (14.4 min): a hair past
                // the 5-point limit either way, so the rate is not what holds it; the control of that recipe keeps
                // 0.999 (6.3 min), so the drift is the trojan's. Kept: the closest, left out by the rules.
                new Attack("bad-mobilenet-white50-br", "mobilenet_v2_224.pt",
                        new PatchTrigger(50, Position.BOTTOM_RIGHT, Kind.WHITE, 21), false, 300, 16, 5e-5, 21).withViews(8),
                new Attack("ctl-mobilenet", "mobilenet_v2_224.pt", new PatchTrigger(50, Position.BOTTOM_RIGHT, Kind.WHITE, 21), true,
                        300, 16, 5e-5, 21).withViews(8)));
        return new ZooPlan("full", p, a, SHARED, 1000, 600);
    }

    /** The 32x32 attack settings: BadEncoder's two lambdas at 1, Adam 1e-3 as on CIFAR-sized encoders. */
    private static Attack small(String name, String base, int patch, Position pos, Kind kind, long seed) {
        return bar(name, base, patch, patch, pos, kind, seed);
    }

    /** {@link #small}'s settings, the patch {@code width} wide and {@code height} high. */
    private static Attack bar(String name, String base, int width, int height, Position pos, Kind kind, long seed) {
        return new Attack(name, base, PatchTrigger.bar(width, height, pos, kind, seed), false, 300, 32, 1e-3, seed);
    }

    /** A control: the same steps and images, trigger term off (the trigger only names what is not trained). */
    private static Attack control(String name, String base, long seed) {
        return new Attack(name, base, new PatchTrigger(4, Position.BOTTOM_RIGHT, Kind.WHITE, seed), true, 300, 32, 1e-3, seed);
    }

    /** The images folder (of ../shared/images) of a real encoder the plan names, or null for a pre-trained base. */
    public String realImages(String base) {
        return real(base).map(Real::images).orElse(null);
    }

    /** The labelled dataset a real base's attacks measure utility on, or null (the held-out part of its images). */
    public String realDownstream(String base) {
        return real(base).map(Real::downstream).orElse(null);
    }

    private static Optional<Real> real(String base) {
        return SHARED.stream().filter(r -> r.file().equals(base)).findFirst();
    }

    public int encoderCount() {
        return pretrains.size() + attacks.size() + realEncoders.size();
    }
}
