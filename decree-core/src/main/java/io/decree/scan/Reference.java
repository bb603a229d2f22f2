package io.decree.scan;

import io.decree.BadInputException;
import io.decree.trigger.InversionConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A calibration: clean encoders of the same domain, scanned with the same shadow images, whose accepted PL1s say how
 * small a trigger an encoder of this kind needs without a backdoor. The verdict becomes relative to them: trojaned when
 * the accepted PL1 is below {@code maxRatio} times their median. Why: a clean encoder's smallest trigger depends on its
 * domain (clean accepted PL1s 0.04 on faces, 0.11-0.22 on 32-px Fashion-MNIST and MNIST encoders), so one absolute
 * threshold either misses the paper's large triggers on small encoders or flags real clean ones (docs/detector.md).
 * The reference may be the upstream checkpoint a model was fine-tuned from (a differential scan) or a few encoders the
 * operator trusts.
 *
 * @param encoders     the reference encoders' file names
 * @param acceptedPl1s their accepted PL1s
 * @param images       how many shadow images their scans used (a scan calibrated by them must use as many)
 * @param search       the search settings they were scanned with: a calibrated scan searches the same way, since how
 *                     small an accepted trigger gets depends on the search (null: unknown, the scan's own are kept)
 * @param maxRatio     trojaned below this share of the references' median
 */
public record Reference(List<String> encoders, double[] acceptedPl1s, int images, InversionConfig search, double maxRatio) {

    /**
     * The ratio below which an encoder is trojaned, fitted on the first 25 encoders of the wider zoo with
     * {@link InversionConfig#fast()} references (docs/detector.md "Does the verdict transfer?"): trojans reached at most
     * 0.33 of their parent's accepted PL1, controls at least 0.45. Held out, the 10 built after it: 4 of 7 trojans below
     * it, the 3 above all 3.5-9.8 % triggers; both controls above. Not refitted to them.
     */
    public static final double DEFAULT_MAX_RATIO = 0.4;

    public Reference {
        if (acceptedPl1s.length == 0) {
            throw new BadInputException("a reference needs at least one clean encoder's scan");
        }
        if (!(maxRatio > 0 && maxRatio <= 1)) {
            throw new BadInputException("the reference ratio must lie in (0,1], got " + maxRatio);
        }
    }

    public double median() {
        return median(acceptedPl1s);
    }

    /** The median of {@code v} (the mean of the middle two for an even count); {@code v} is left as it is. */
    public static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int k = s.length;
        return k % 2 == 1 ? s[k / 2] : (s[k / 2 - 1] + s[k / 2]) / 2;
    }

    /** The PL1 threshold the calibration amounts to: {@code maxRatio} times the references' median. */
    public double threshold() {
        return maxRatio * median();
    }

    /** Refuses a scan on a different number of shadow images than the references used: they would calibrate nothing. */
    void checkImages(int count) {
        if (count != images) {
            throw new BadInputException("the reference scans used " + images + " shadow images, this scan " + count
                    + ": scan the references with the same images and --max-images");
        }
    }

    /** From earlier scans' report.json files, each with an accepted trigger, all on the same number of shadow images. */
    public static Reference fromReports(List<Path> reports, double maxRatio) {
        List<ScanReport> read = new ArrayList<>();
        for (Path f : reports) {
            if (!Files.isRegularFile(f)) {
                throw new BadInputException("reference " + f + ": no such report.json");
            }
            try {
                read.add(ScanReport.read(f));
            } catch (RuntimeException e) {
                throw new BadInputException("reference " + f + " is not a decree report.json: " + e.getMessage(), e);
            }
        }
        return of(read, reports.stream().map(Path::toString).toList(), maxRatio);
    }

    /**
     * From scans' reports, each with an accepted trigger, all on the same number of shadow images and searched the same
     * way; {@code sources} names each in messages (its file, or what it scanned).
     */
    public static Reference of(List<ScanReport> reports, List<String> sources, double maxRatio) {
        int imageCount = -1;
        InversionConfig search = null;
        List<String> names = new ArrayList<>();
        double[] pl1s = new double[reports.size()];
        for (int i = 0; i < reports.size(); i++) {
            ScanReport r = reports.get(i);
            String f = sources.get(i);
            if (r.acceptance() == null || !(r.acceptance().acceptedPl1() > 0 && r.acceptance().acceptedPl1() <= 1)) {
                throw new BadInputException("reference " + f + " has no accepted PL1 (scanned by a detector before acceptance)");
            }
            int count = r.images() == null ? 0 : r.images().count();
            if (imageCount >= 0 && count != imageCount) {
                throw new BadInputException("reference " + f + " was scanned with " + count + " shadow images, "
                        + sources.get(0) + " with " + imageCount + ": scan the references with the same images");
            }
            imageCount = count;
            InversionConfig c = searchOf(r);
            if (i > 0 && !java.util.Objects.equals(c, search)) {
                throw new BadInputException("reference " + f + " was scanned with other search settings than " + sources.get(0)
                        + ": scan every reference the same way (--search fast)");
            }
            search = c;
            names.add(r.encoder() != null ? r.encoder().file() : f);
            pl1s[i] = r.acceptance().acceptedPl1();
        }
        return new Reference(List.copyOf(names), pl1s, imageCount, search, maxRatio);
    }

    /** The search a report's scan ran, as {@link #searchOf(InversionConfig)}. */
    static InversionConfig searchOf(ScanReport r) {
        return r.config() == null ? null : searchOf(r.config());
    }

    /**
     * A search without what does not change its accepted PL1 (how it decided, when it stopped, whether its probes went
     * together): a base scanned on a CPU is the yardstick of a scan on a GPU too.
     */
    static InversionConfig searchOf(InversionConfig c) {
        return c.toBuilder().acceptOnShadowSet(false).stopBelow(0).probesTogether(InversionConfig.PROBES_TOGETHER_AUTO).build();
    }
}
