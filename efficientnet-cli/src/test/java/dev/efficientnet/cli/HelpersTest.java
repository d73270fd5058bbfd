package dev.efficientnet.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HelpersTest {

    @Test
    void statsOddAndEven() {
        Stats odd = Stats.of(new double[]{5, 1, 3});
        assertEquals(3, odd.median());
        assertEquals(1, odd.min());
        assertEquals(3, odd.mean());
        assertEquals(5, odd.max());
        assertEquals(2.5, Stats.of(new double[]{4, 1, 2, 3}).median());
        assertThrows(IllegalArgumentException.class, () -> Stats.of(new double[0]));
    }

    @Test
    void peakRssParsesVmHwm() {
        String status = "Name:\tjava\nVmPeak:\t 9999999 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  100 kB\n";
        assertEquals(200.0, SystemInfo.peakRssMb(status));
        assertEquals(-1, SystemInfo.peakRssMb("Name:\tjava\n"));
        assertEquals(-1, SystemInfo.peakRssMb("VmHWM:\tlots kB\n"));
    }

    @Test
    void typoSuggestion() {
        assertEquals("efficientnet_b0", Architectures.closest("efficentnet_b0", java.util.List.of("efficientnet_b0", "efficientnet_v2_s")));
        assertNull(Architectures.closest("resnet50", java.util.List.of("efficientnet_b0")));
        CliException e = assertThrows(CliException.class, () -> Architectures.resolve("efficientnet_v2_x"));
        assertEquals(2, e.exitCode());
    }
}
