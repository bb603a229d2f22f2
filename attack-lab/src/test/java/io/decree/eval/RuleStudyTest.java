package io.decree.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.scan.ScanReport;
import io.decree.scan.Verdict;
import io.decree.trigger.Acceptance;
import io.decree.trigger.SearchStart;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Leave-one-family-out judging of decision rules, on made-up scans whose answer is known. */
class RuleStudyTest {

    private static ScanReport report(double pl1, double batchPl1, double... starts) {
        List<SearchStart> st = IntStream.range(0, starts.length).mapToObj(i -> new SearchStart("s" + i, 30, starts[i])).toList();
        return new ScanReport(Verdict.CLEAN, null, pl1, 0.015, 0.99, null, new Acceptance(batchPl1, pl1 * 1.2, 0.991, 2), true, 100, false, 1, 3200, 0,
                List.of(), st, 1, null, null, null, "cpu()", "contiguous", "test", List.of());
    }

    private static RuleStudy.Subject clean(String name, String domain, double pl1) {
        return new RuleStudy.Subject(name, false, null, null, 0, "arch-" + domain, domain, null, report(pl1, pl1 * 0.8, pl1, pl1 * 1.1,
                pl1 * 1.2, pl1 * 1.3));
    }

    private static RuleStudy.Subject control(String name, String domain, double pl1, String parent) {
        return new RuleStudy.Subject(name, false, null, null, 0, "arch-" + domain, domain, parent, report(pl1, pl1 * 0.8, pl1, pl1 * 1.1,
                pl1 * 1.2, pl1 * 1.3));
    }

    private static RuleStudy.Subject trojan(String name, String kind, String domain, double pl1, String parent) {
        // Two of each domain's four trojans cover 2 % of the image, two 6 %: both size bands have trojans to fit on.
        return new RuleStudy.Subject(name, true, kind, "corner", name.endsWith("0") || name.endsWith("1") ? 0.02 : 0.06, "arch-" + domain, domain, parent, report(pl1, pl1 * 0.8, pl1,
                pl1 * 6, pl1 * 7, pl1 * 8));
    }

    /** The same subject with its trigger at {@code position}. */
    private static RuleStudy.Subject at(String position, RuleStudy.Subject t) {
        return new RuleStudy.Subject(t.model(), t.trojaned(), t.kind(), position, t.area(), t.architecture(), t.domain(), t.parent(),
                t.report());
    }

    /** A scan contrasted with the base: its decision names the rule, its accepted PL1 is the contrasted figure. */
    private static RuleStudy.Subject contrasted(String name, boolean trojaned, String kind, String domain, double pl1) {
        // Both contrast rules run the same search; the default one (the base ratio) names itself in the decision.
        ScanReport r = new ScanReport(trojaned ? Verdict.TROJANED : Verdict.CLEAN,
                new io.decree.scan.Decision(name.hashCode() % 2 == 0 ? "base-contrast" : "base-contrast-base-ratio", pl1, 0.2,
                        Verdict.CLEAN, "test"), pl1, 0.2, 0.99, null,
                new Acceptance(pl1 * 0.8, pl1, 0.991, 2, 0.5, 0.7), true, 100, false, 1, 6400, 0, List.of(), List.of(), 1, null,
                null, null, "cpu()", "contiguous", "test", List.of());
        return new RuleStudy.Subject(name, trojaned, kind, trojaned ? "corner" : null, trojaned ? 0.06 : 0, "arch", domain,
                "parent-" + domain, r);
    }

    @Test
    void aContrastedScanIsJudgedByTheContrastedStatisticAloneAndAtItsShippedThreshold() {
        List<RuleStudy.Subject> zoo = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            zoo.add(contrasted("a-bad" + i, true, i % 2 == 0 ? "white" : "noise", "a", 0.05 + 0.01 * i));
            zoo.add(contrasted("a-ctl" + i, false, null, "a", i == 0 ? 1.0 : 0.4 + 0.1 * i));
            zoo.add(contrasted("b-bad" + i, true, i % 2 == 0 ? "white" : "noise", "b", 0.03 + 0.01 * i));
            zoo.add(contrasted("b-ctl" + i, false, null, "b", 0.5 + 0.1 * i));
        }
        List<RuleStudy.Result> results = RuleStudy.judge(zoo, List.of());
        RuleStudy.Result c = find(results, "base-contrast");
        assertEquals(12, c.applies());
        assertEquals(1.0, c.worstLofo(), 1e-12, c.toString());
        assertEquals(1.0, c.shippedAccuracy(), 1e-12, "the shipped threshold separates 0.03-0.07 from 0.4-1: " + c);
        assertTrue(results.stream().noneMatch(r -> r.statistic().equals("accepted-pl1")),
                "a plain statistic does not judge contrasted scans: " + results.stream().map(RuleStudy.Result::statistic).toList());
    }

    /** A contrasted scan of an encoder whose input is {@code side} x {@code side} pixels. */
    private static RuleStudy.Subject contrasted(String name, boolean trojaned, String domain, int side, double pl1) {
        RuleStudy.Subject s = contrasted(name, trojaned, trojaned ? "white" : null, domain, pl1);
        ScanReport r = s.report();
        io.decree.encoder.InputSpec spec = new io.decree.encoder.InputSpec(new int[] {side, side}, null, null, null);
        return new RuleStudy.Subject(s.model(), s.trojaned(), s.kind(), s.position(), s.area(), s.architecture(), s.domain(),
                s.parent(), new ScanReport(r.verdict(), r.decision(), r.pl1Norm(), r.threshold(), r.similarity(), r.heldOutSimilarity(),
                        r.acceptance(), r.targetReached(), r.steps(), r.earlyStopped(), r.seconds(), r.imagePasses(),
                        r.forwardOnlyPasses(), r.phases(), r.starts(), r.seed(), new io.decree.scan.EncoderFile(name, "0", 1, spec, 64),
                        r.images(), r.config(), r.device(), r.layout(), r.detectorVersion(), r.curve()));
    }

    @Test
    void aContrastedTriggerCountedInPixelsServesTwoInputSizesWhereItsShareOfTheImageCannot() {
        // Shaped like the zoo (docs/eval/pixels.md): at 32 px trojans' contrasted triggers cover 5-9 % (51-92 px) and clean
        // fine-tunes' 25-45 %; at 150 px trojans' 0.2-0.4 % (45-90 px) and clean fine-tunes' 8-12 %: a clean 150-px
        // fine-tune sits at the share a 32-px trojan does, never at its pixel count.
        List<RuleStudy.Subject> zoo = new ArrayList<>();
        for (String small : List.of("small-a", "small-b")) {
            for (int i = 0; i < 3; i++) {
                zoo.add(contrasted(small + "-bad" + i, true, small, 32, 0.05 + 0.02 * i));
                zoo.add(contrasted(small + "-ctl" + i, false, small, 32, 0.25 + 0.1 * i));
            }
        }
        for (int i = 0; i < 3; i++) {
            zoo.add(contrasted("large-bad" + i, true, "large", 150, 0.002 + 0.001 * i));
            zoo.add(contrasted("large-ctl" + i, false, "large", 150, 0.08 + 0.02 * i));
        }
        List<RuleStudy.Result> results = RuleStudy.judge(zoo, List.of());
        RuleStudy.Result share = find(results, "base-contrast");
        RuleStudy.Result pixels = find(results, "base-contrast-px");
        assertEquals(18, pixels.applies(), "the pixel statistic judges contrasted scans");
        assertTrue(share.leaveOneFamilyOut().get("domain") < 1, "a share fitted on one input size misjudges the other: " + share);
        assertEquals(1.0, pixels.leaveOneFamilyOut().get("domain"), 1e-12, "in pixels each size's fit judges the other: " + pixels);
        assertEquals(0.09 * 1024, RuleStudy.acceptedAreaPx(zoo.get(4)), 1e-9, "PL1 x H x W");
        // Against the other clean fine-tunes of its base, every size lines up too: trojans at most 0.36x, controls 0.71x+.
        RuleStudy.Result siblings = find(results, "base-contrast-sibling-ratio");
        assertEquals(1.0, siblings.leaveOneFamilyOut().get("domain"), 1e-12, siblings.toString());
        assertEquals(0.09 / 0.25, RuleStudy.siblingRatio(zoo.get(4), zoo), 1e-9, "the smallest clean sibling's figure");
        assertEquals(0.25 / 0.35, RuleStudy.siblingRatio(zoo.get(1), zoo), 1e-9, "a control against the others, not itself");
    }

    @Test
    void aContrastedTriggerOverTheBasesOwnSmallestTriggerNeedsNeitherAPixelScaleNorSiblings() {
        // Two domains whose clean shortcuts differ 10x in share (the bases' own plain triggers 0.04 and 0.004 of the
        // image): the share fails leaving a domain out; over the base's own trigger both line up (trojans 1-2x, clean
        // fine-tunes 6x and more), and a domain with one clean fine-tune, which has no sibling, is judged too.
        List<RuleStudy.Subject> zoo = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            zoo.add(contrasted("a-bad" + i, true, "white", "a", 0.04 + 0.02 * i));
            zoo.add(contrasted("a-ctl" + i, false, null, "a", 0.25 + 0.1 * i));
            zoo.add(contrasted("b-bad" + i, true, "white", "b", 0.004 + 0.002 * i));
        }
        zoo.add(contrasted("b-ctl0", false, null, "b", 0.03));
        zoo.add(clean("parent-a", "a", 0.04 / 1.2)); // accepted PL1 0.04 (the helper accepts at 1.2x)
        zoo.add(clean("parent-b", "b", 0.004 / 1.2));
        List<RuleStudy.Result> results = RuleStudy.judge(zoo, List.of());
        RuleStudy.Result base = find(results, "base-contrast-base-ratio");
        RuleStudy.Result share = find(results, "base-contrast");
        assertEquals(10, base.applies(), "the contrasted scans; the bases' plain scans are the reference, not judged by it");
        assertEquals(0.06 / 0.04, RuleStudy.baseRatio(zoo.get(3), zoo), 1e-9, "contrasted over the base's accepted PL1");
        assertTrue(Double.isNaN(RuleStudy.baseRatio(zoo.get(zoo.size() - 1), zoo)), "a base has no base");
        assertEquals(1.0, base.leaveOneFamilyOut().get("domain"), 1e-12, base.toString());
        assertTrue(share.leaveOneFamilyOut().get("domain") < 1, "b's clean fine-tune sits at a's trojans' share: " + share);
        assertTrue(Double.isNaN(RuleStudy.siblingRatio(zoo.get(9), zoo)), "b's one clean fine-tune has no sibling");
        List<RuleStudy.Subject> otherImages = new ArrayList<>(zoo.subList(0, 10));
        otherImages.add(clean("parent-a", "elsewhere", 0.5));
        assertTrue(Double.isNaN(RuleStudy.baseRatio(zoo.get(3), otherImages)), "a base scanned on other images is no reference");
    }

    @Test
    void aThresholdThatOnlyWorksWithinOneDomainFailsWhenThatDomainIsLeftOut() {
        List<RuleStudy.Subject> zoo = new ArrayList<>();
        // Domain a: clean around 0.06, trojans around 0.02. Domain b: everything 3x smaller, so b's clean
        // encoders sit where a's trojans do: one fixed PL1 threshold cannot serve both.
        for (int i = 0; i < 4; i++) {
            zoo.add(clean("a-clean" + i, "a", 0.06 + 0.002 * i));
            zoo.add(trojan("a-bad" + i, i % 2 == 0 ? "white" : "noise", "a", 0.02 + 0.001 * i, "a-clean" + i));
            zoo.add(clean("b-clean" + i, "b", 0.02 + 0.0007 * i));
            zoo.add(trojan("b-bad" + i, i % 2 == 0 ? "white" : "noise", "b", 0.0067 + 0.0003 * i, "b-clean" + i));
        }
        zoo.add(control("a-ctl", "a", 0.063, "a-clean1"));
        zoo.add(control("b-ctl", "b", 0.021, "b-clean1"));
        List<RuleStudy.Result> results = RuleStudy.judge(zoo, List.of("a-clean0"));
        RuleStudy.Result pl1 = find(results, "pl1");
        RuleStudy.Result domain = find(results, "domain-ratio");
        RuleStudy.Result parent = find(results, "parent-ratio");
        RuleStudy.Result starts = find(results, "start-anomaly");

        assertTrue(pl1.auroc() < 1, "PL1 mixes the domains up: " + pl1);
        assertTrue(pl1.leaveOneFamilyOut().get("domain") <= 0.75, "a PL1 threshold fitted on the other domain misjudges: " + pl1);
        assertEquals(1.0, domain.auroc(), 1e-12, "normalised by the domain's clean encoders, the domains line up");
        assertEquals(1.0, domain.leaveOneFamilyOut().get("domain"), 1e-12, domain.toString());
        assertEquals(10, parent.applies(), "only the encoders with a parent: 8 trojans, 2 controls");
        assertEquals(1.0, parent.worstLofo(), 1e-12, "a trojan sits far below its parent, a control beside it: " + parent);
        assertEquals(1.0, starts.worstLofo(), 1e-12, "the trojans' smallest start stands out from their others: " + starts);
        assertEquals(1, domain.realJudged(), "the real clean encoder named is judged once, in the domain folds");
        RuleStudy.Result acceptedDomain = find(results, "accepted-domain-ratio");
        assertEquals(1.0, acceptedDomain.leaveOneFamilyOut().get("domain"), 1e-12, "the calibration works on the accepted figure too");
        RuleStudy.Result acceptedParent = find(results, "accepted-parent-ratio");
        assertEquals(10, acceptedParent.applies());
        // The constants decree ships, judged as they are: the 0.4 ratio separates (trojans at a third of their parent);
        // the 0.015 PL1 threshold misses domain a's trojans (0.020-0.023) and nothing else.
        assertEquals(0.4, acceptedParent.shipped(), 1e-12);
        assertEquals(1.0, acceptedParent.shippedAccuracy(), 1e-12, acceptedParent.toString());
        assertEquals(14 / 18.0, pl1.shippedAccuracy(), 1e-12, pl1.toString());
        assertTrue(Double.isNaN(starts.shippedAccuracy()), "no constant shipped for it");
        assertTrue(domain.aurocLarge() == 1.0 && pl1.aurocLarge() < 1, "the same on the large triggers alone");
        assertTrue(RuleStudy.markdown(zoo, results).contains("| a-bad0 | trojaned | white corner 2.0 % | arch-a | a |"));
    }

    @Test
    void aFamilyWithOneValueCannotBeLeftOutAndSaysSo() {
        List<RuleStudy.Subject> zoo = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            zoo.add(clean("c" + i, "a", 0.06 + 0.01 * i));
            zoo.add(trojan("t" + i, "white", "a", 0.01 + 0.001 * i, null));
        }
        RuleStudy.Result pl1 = find(RuleStudy.judge(zoo, List.of()), "pl1");
        assertTrue(Double.isNaN(pl1.leaveOneFamilyOut().get("domain")), "one domain: nothing to fit on without it " + pl1);
        assertEquals(1.0, pl1.leaveOneFamilyOut().get("trigger size"), 1e-12, pl1.toString());
        assertEquals(1.0, pl1.worstLofo(), 1e-12, "n/a folds do not count as misses");
    }

    @Test
    void aTriggerPlacementIsACornerAnEdgeOrTheCentreAndItsFoldsAreJudged() {
        List<RuleStudy.Subject> zoo = new ArrayList<>();
        String[] positions = {"top_left", "bottom_right", "top_right", "bottom_left", "top", "left", "center"};
        for (int i = 0; i < positions.length; i++) {
            zoo.add(clean("c" + i, "a", 0.06 + 0.005 * i));
            zoo.add(at(positions[i], trojan("t" + i, "white", "a", 0.010 + 0.001 * i, null)));
        }
        assertEquals(List.of("corner", "corner", "corner", "corner", "edge", "edge", "centre"),
                zoo.stream().filter(RuleStudy.Subject::trojaned).map(RuleStudy.Subject::placement).toList());
        RuleStudy.Result pl1 = find(RuleStudy.judge(zoo, List.of()), "pl1");
        assertEquals(1.0, pl1.leaveOneFamilyOut().get("trigger placement"), 1e-12,
                "a threshold fitted without the edges' trojans still catches them here: " + pl1);
        assertTrue(RuleStudy.markdown(zoo, List.of(pl1)).contains("LOFO trigger placement"));
        // Where a placement's trojans sit nearer the clean encoders than the others do, a threshold fitted without them
        // misses them: the fold exists to show that.
        List<RuleStudy.Subject> shifted = new ArrayList<>();
        for (RuleStudy.Subject s : zoo) {
            boolean edge = "edge".equals(s.placement());
            shifted.add(!edge ? s : at(s.position(), trojan(s.model(), "white", "a", 0.05, null)));
        }
        RuleStudy.Result moved = find(RuleStudy.judge(shifted, List.of()), "pl1");
        assertTrue(moved.leaveOneFamilyOut().get("trigger placement") < 1, moved.toString());
    }

    @Test
    void anomalyIndexIsTheSmallestStartsDistanceFromTheMedianInMads() {
        RuleStudy.Subject s = trojan("x", "white", "a", 0.01, null);
        // log PL1s: ln 0.01, ln 0.06, ln 0.07, ln 0.08; median of the logs lies between ln 0.06 and ln 0.07.
        double[] logs = {Math.log(0.01), Math.log(0.06), Math.log(0.07), Math.log(0.08)};
        double med = (logs[1] + logs[2]) / 2;
        double mad = RuleStudy.median(new double[] {Math.abs(logs[0] - med), Math.abs(logs[1] - med), Math.abs(logs[2] - med),
                Math.abs(logs[3] - med)});
        assertEquals((med - logs[0]) / (1.4826 * mad), RuleStudy.startAnomaly(s), 1e-9);
        assertEquals(0.01 / ((0.06 + 0.07) / 2), RuleStudy.startRatio(s), 1e-9, "smallest start over the median start");
    }

    private static RuleStudy.Result find(List<RuleStudy.Result> results, String name) {
        return results.stream().filter(r -> r.statistic().equals(name)).findFirst().orElseThrow(() -> new AssertionError(name));
    }

    @Test
    void theDomainIsTheFolderTheScanReadNotOnlyTheZoos(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("zoo.json"), """
                {"encoders":[{"model":"encoders/m.pt","label":"clean","images":"images/fashion-mnist-test","attack":null}]}""");
        Zoo.Entry e = Zoo.read(dir).encoders().get(0);
        ScanReport zoos = report(0.1, 0.1);
        ScanReport photos = new ScanReport(Verdict.CLEAN, null, 0.1, 0.015, 0.99, null, new Acceptance(0.1, 0.1, 0.991, 2), true, 100,
                false, 1, 3200, 0, List.of(), List.of(), 1, null, new ScanReport.Images("zoo/images/photos", 50, 50, 0), null, "cpu()", "contiguous",
                "test", List.of());
        assertEquals("fashion-mnist-test", RuleStudy.domain(e, zoos), "a report without its images: the zoo's folder");
        assertEquals("photos", RuleStudy.domain(e, photos), "eval --images: the folder scanned");
    }

    @Test
    void aContinuedPretrainingIsJudgedAgainstItsBaseAndCountsAsItsBasesArchitecture(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // As ZooBuilder writes them: the continued one's report names its base as its "architecture", and "base" too.
        java.nio.file.Files.writeString(dir.resolve("zoo.json"), """
                {"encoders":[
                 {"model":"encoders/simclr-r16-fmnist.pt","label":"clean","images":"images/fashion-mnist-test",
                  "attack":{"architecture":"resnet18_w16_32.pt","dataset":"fashion-mnist"}},
                 {"model":"encoders/cont-r16-fmnist-to-mnist.pt","label":"clean","images":"images/mnist-test",
                  "attack":{"architecture":"simclr-r16-fmnist.pt","dataset":"mnist","base":"simclr-r16-fmnist"}}]}""");
        List<RuleStudy.Subject> subjects = RuleStudy.subjects(Zoo.read(dir), e -> report(0.1, 0.1));
        assertEquals(List.of("resnet18_w16_32", "resnet18_w16_32"), subjects.stream().map(RuleStudy.Subject::architecture).toList(),
                "one architecture family, not the base's name as an architecture of its own");
        assertEquals("simclr-r16-fmnist", subjects.get(1).parent());
        assertEquals("mnist-test", subjects.get(1).domain());
    }
}
