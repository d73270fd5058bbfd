package dev.efficientnet.cli;

import dev.efficientnet.cli.safety.ResumeOptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Every option of {@code train} says what {@code --resume} does with it. */
class ResumeOptionsTest {
    @Test
    void everyTrainOptionIsClassified() {
        CommandLine train = new CommandLine(new TrainCommand());
        List<String> missing = ResumeOptions.unclassified(train.getCommandSpec());
        assertEquals(List.of(), missing, "classify these train options in ResumeOptions (APPLIED, DEFINING or NEUTRAL)");
        for (ArgSpec a : train.getCommandSpec().args()) assertNotNull(ResumeOptions.kindOf(ResumeOptions.key(a)));
    }

    @Test
    void theClassificationIsTheIntendedOne() {
        assertEquals(ResumeOptions.Kind.APPLIED, ResumeOptions.kindOf("--epochs"));
        assertEquals(ResumeOptions.Kind.APPLIED, ResumeOptions.kindOf("--checkpoint-every"));
        assertEquals(ResumeOptions.Kind.DEFINING, ResumeOptions.kindOf("--lr"));
        assertEquals(ResumeOptions.Kind.DEFINING, ResumeOptions.kindOf(ResumeOptions.ARCH));
        assertEquals(ResumeOptions.Kind.NEUTRAL, ResumeOptions.kindOf("--json"));
    }
}
